// Runs a .tflite model once through Arm NN's own C++ API (ITfLiteParser, Optimize, IRuntime,
// EnqueueWorkload) with no qbridge code in between: the reference that ArmNnReferenceTest holds the
// armnn backend's outputs to, byte for byte.
//
//   armnn_reference_run MODEL INPUT_FILE OUTPUT_FILE BACKENDS   (BACKENDS e.g. "CpuRef")
//
// Single input, single output; INPUT_FILE holds the input tensor's raw bytes.
#include <armnn/ArmNN.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>

static std::vector<char> readFile(const char* path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: armnn_reference_run MODEL INPUT_FILE OUTPUT_FILE BACKENDS\n";
        return 2;
    }
    try {
        std::vector<char> model = readFile(argv[1]);
        std::vector<char> input = readFile(argv[2]);
        auto parser = armnnTfLiteParser::ITfLiteParser::Create();
        armnn::INetworkPtr network = parser->CreateNetworkFromBinary(std::vector<uint8_t>(model.begin(), model.end()));
        auto inputBinding = parser->GetNetworkInputBindingInfo(0, parser->GetSubgraphInputTensorNames(0)[0]);
        auto outputBinding = parser->GetNetworkOutputBindingInfo(0, parser->GetSubgraphOutputTensorNames(0)[0]);

        std::vector<armnn::BackendId> backends;
        std::stringstream list(argv[4]);
        for (std::string id; std::getline(list, id, ',');) {
            backends.emplace_back(id);
        }
        armnn::IRuntimePtr runtime = armnn::IRuntime::Create(armnn::IRuntime::CreationOptions());
        armnn::IOptimizedNetworkPtr optimized = armnn::Optimize(*network, backends, runtime->GetDeviceSpec());
        armnn::NetworkId id;
        if (runtime->LoadNetwork(id, std::move(optimized)) != armnn::Status::Success) {
            std::cerr << "LoadNetwork failed\n";
            return 1;
        }
        if (input.size() != inputBinding.second.GetNumBytes()) {
            std::cerr << "input file has " << input.size() << " bytes, the model wants " << inputBinding.second.GetNumBytes() << "\n";
            return 1;
        }
        std::vector<char> output(outputBinding.second.GetNumBytes());
        armnn::InputTensors inputs{{inputBinding.first, armnn::ConstTensor(inputBinding.second, input.data())}};
        armnn::OutputTensors outputs{{outputBinding.first, armnn::Tensor(outputBinding.second, output.data())}};
        if (runtime->EnqueueWorkload(id, inputs, outputs) != armnn::Status::Success) {
            std::cerr << "EnqueueWorkload failed\n";
            return 1;
        }
        std::ofstream(argv[3], std::ios::binary).write(output.data(), static_cast<std::streamsize>(output.size()));
        return 0;
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
