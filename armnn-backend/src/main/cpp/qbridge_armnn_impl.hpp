// Definitions of the façade declared in qbridge_armnn.h, compiled into the JNI library that javacpp
// generates (the preset defines QBRIDGE_ARMNN_IMPLEMENTATION). Every public function catches every
// exception: the JVM only ever sees a bool and a message.
#pragma once

#include <armnn/ArmNN.hpp>
#include <armnn/Exceptions.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <map>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

// The Compute Library's scheduler (CpuAcc's threads) is reached through its headers where they are
// installed (Debian's libarm-compute-dev, Arm only) and through dlsym at run time, so this library
// does not link libarm_compute and still loads on a machine that has only CpuRef.
#if defined(__has_include)
#if __has_include(<arm_compute/runtime/IScheduler.h>)
#include <arm_compute/runtime/IScheduler.h>
#define QBRIDGE_ARMNN_WITH_ACL 1
#endif
#endif

namespace qbridge_armnn {
namespace detail {

// Runs body; on any C++ exception stores its message in error and returns false.
template <typename Body>
bool guarded(std::string& error, const char* what, Body body) {
    try {
        error.clear();
        body();
        return true;
    } catch (const armnn::Exception& e) {
        error = e.what();
    } catch (const std::exception& e) {
        error = std::string(what) + ": " + e.what();
    } catch (...) {
        error = std::string(what) + ": unknown C++ exception";
    }
    if (error.empty()) {
        error = std::string(what) + " failed";
    }
    return false;
}

inline std::vector<armnn::BackendId> parseBackends(const char* list) {
    std::vector<armnn::BackendId> ids;
    std::stringstream in(list == nullptr ? "" : list);
    std::string item;
    while (std::getline(in, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) {
            ids.emplace_back(item);
        }
    }
    return ids;
}

#ifdef QBRIDGE_ARMNN_WITH_ACL
// arm_compute::Scheduler::get(), looked up in the already loaded libarm_compute (the CpuAcc backend
// links it), else loaded by its Debian soname.
inline arm_compute::IScheduler* computeLibraryScheduler() {
    using GetFn = arm_compute::IScheduler& (*)();
    const char* symbol = "_ZN11arm_compute9Scheduler3getEv";
    void* fn = dlsym(RTLD_DEFAULT, symbol);
    if (fn == nullptr) {
        for (const char* soname : {"libarm_compute.so.20", "libarm_compute.so"}) {
            void* lib = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
            if (lib == nullptr) {
                lib = dlopen(soname, RTLD_LAZY);
            }
            if (lib != nullptr && (fn = dlsym(lib, symbol)) != nullptr) {
                break;
            }
        }
    }
    return fn == nullptr ? nullptr : &reinterpret_cast<GetFn>(fn)();
}
#endif

// The armnn22 folder beside the libarmnn.so.22 this process loaded: where Debian puts the dynamic
// backends, found also when the library comes from an unpacked sysroot (LD_LIBRARY_PATH, emulation)
// rather than from the path compiled into Arm NN.
inline std::string dynamicBackendsBesideLibarmnn() {
    Dl_info info;
    auto create = static_cast<armnn::IRuntimePtr (*)(const armnn::IRuntime::CreationOptions&)>(&armnn::IRuntime::Create);
    if (dladdr(reinterpret_cast<void*>(create), &info) == 0 || info.dli_fname == nullptr) {
        return "";
    }
    std::string lib = info.dli_fname;
    std::size_t slash = lib.rfind('/');
    if (slash == std::string::npos) {
        return "";
    }
    std::string dir = lib.substr(0, slash) + "/armnn22";
    struct stat st;
    return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? dir : "";
}

// Lists the folder the way Arm NN's backend scan will, and says why it cannot: a 32-bit process on a
// file system with 64-bit inode numbers gets EOVERFLOW from readdir (armv7 under QEMU on ext4), and
// Arm NN 20.08 aborts on that instead of throwing.
inline std::string unlistableFolder(const std::string& dir) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
        return "";  // a missing folder is Arm NN's to report
    }
    errno = 0;
    while (readdir(d) != nullptr) {
    }
    int err = errno;
    closedir(d);
    if (err == 0) {
        return "";
    }
    return "cannot list the dynamic backends folder " + dir + ": " + std::strerror(err)
            + (err == EOVERFLOW ? " (a 32-bit process on a file system with 64-bit inode numbers: put the folder on a"
                                  " tmpfs, or set qbridge.armnn.dynamicBackendsPath to a copy there)" : "");
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
struct ArmnnRuntime::Impl {
    armnn::IRuntimePtr runtime{nullptr, &armnn::IRuntime::Destroy};
    std::string error;
};

inline ArmnnRuntime::ArmnnRuntime(const char* dynamicBackendsPath) : impl_(new Impl()) {
    detail::guarded(impl_->error, "IRuntime::Create", [&] {
        armnn::IRuntime::CreationOptions options;
        if (dynamicBackendsPath != nullptr && *dynamicBackendsPath != 0) {
            options.m_DynamicBackendsPath = dynamicBackendsPath;
        } else {
            options.m_DynamicBackendsPath = detail::dynamicBackendsBesideLibarmnn();
        }
        if (!options.m_DynamicBackendsPath.empty()) {
            std::string why = detail::unlistableFolder(options.m_DynamicBackendsPath);
            if (!why.empty()) {
                throw std::runtime_error(why);
            }
        }
        impl_->runtime = armnn::IRuntime::Create(options);
    });
}

inline ArmnnRuntime::~ArmnnRuntime() {
    try {
        delete impl_;
    } catch (...) {
    }
}

inline bool ArmnnRuntime::ok() const {
    return impl_->runtime != nullptr;
}

inline std::string ArmnnRuntime::error() const {
    return impl_->error;
}

inline std::string ArmnnRuntime::version() const {
    return ARMNN_VERSION;
}

inline std::string ArmnnRuntime::backendIds() const {
    std::string ids;
    detail::guarded(impl_->error, "GetSupportedBackends", [&] {
        if (!impl_->runtime) {
            return;
        }
        std::vector<std::string> names;
        for (const armnn::BackendId& id : impl_->runtime->GetDeviceSpec().GetSupportedBackends()) {
            names.push_back(id.Get());
        }
        std::sort(names.begin(), names.end());
        for (const std::string& n : names) {
            ids += (ids.empty() ? "" : ",") + n;
        }
    });
    return ids;
}

inline bool ArmnnRuntime::setComputeLibraryThreads(int threads) {
#ifdef QBRIDGE_ARMNN_WITH_ACL
    return detail::guarded(impl_->error, "arm_compute::Scheduler::set_num_threads", [&] {
        arm_compute::IScheduler* scheduler = detail::computeLibraryScheduler();
        if (scheduler == nullptr) {
            throw std::runtime_error("libarm_compute is not loaded");
        }
        scheduler->set_num_threads(static_cast<unsigned int>(threads));
    });
#else
    (void) threads;
    impl_->error = "built without the Arm Compute Library's headers";
    return false;
#endif
}

inline int ArmnnRuntime::computeLibraryThreads() {
#ifdef QBRIDGE_ARMNN_WITH_ACL
    int n = -1;
    detail::guarded(impl_->error, "arm_compute::Scheduler::num_threads", [&] {
        arm_compute::IScheduler* scheduler = detail::computeLibraryScheduler();
        if (scheduler != nullptr) {
            n = static_cast<int>(scheduler->num_threads());
        }
    });
    return n;
#else
    return -1;
#endif
}

inline void* ArmnnRuntime::handle() const {
    return impl_->runtime.get();
}

// ---------------------------------------------------------------------------------------------
struct ArmnnNetwork::Impl {
    armnn::IRuntime* runtime = nullptr;
    armnn::NetworkId id = -1;
    bool loaded = false;
    std::string error;
    std::string layerBackends;
    std::vector<std::string> inputNames, outputNames;
    std::vector<armnn::BindingPointInfo> inputInfos, outputInfos;
    armnn::InputTensors inputs;
    armnn::OutputTensors outputs;
    std::vector<bool> inputBound, outputBound;
};

inline ArmnnNetwork::ArmnnNetwork() : impl_(new Impl()) {
}

inline ArmnnNetwork::~ArmnnNetwork() {
    unload();
    try {
        delete impl_;
    } catch (...) {
    }
}

// Counts "BackendID : X" in the optimized graph's dot text: the only public view in Arm NN 20.08
// of where each layer was assigned.
inline std::string countLayerBackends(const armnn::IOptimizedNetwork& optimized) {
    std::ostringstream dot;
    optimized.SerializeToDot(dot);
    std::map<std::string, int> counts;
    const std::string text = dot.str(), key = "BackendID : ";
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
        at += key.size();
        std::size_t end = text.find_first_of("\\}\n", at);
        counts[text.substr(at, end - at)]++;
    }
    std::string out;
    for (const auto& c : counts) {
        out += (out.empty() ? "" : ",") + c.first + ":" + std::to_string(c.second);
    }
    return out;
}

inline bool ArmnnNetwork::load(ArmnnRuntime& runtime, const void* model, std::size_t modelBytes, const char* preferredBackends,
                          bool importEnabled) {
    unload();
    Impl& n = *impl_;
    n.error.clear();
    n.layerBackends.clear();
    if (!runtime.ok()) {
        n.error = "Arm NN runtime not created: " + runtime.error();
        return false;
    }
    n.runtime = static_cast<armnn::IRuntime*>(runtime.handle());
    bool ok = false;
    // Parsed, optimized and loaded on a thread of its own: a fresh thread allocates from a heap
    // nothing else has touched, so the Compute Library's tensors land in the same relative order
    // in every process. Its run-time maps are ordered by those addresses, and on the caller's
    // heap (shaped by whatever the JVM freed before) an inference's cost varied by a few dozen
    // instructions from one process to the next.
    std::thread loader([&] { ok = detail::guarded(n.error, "Arm NN", [&] {
        if (model == nullptr || modelBytes == 0) {
            throw std::invalid_argument("empty model");
        }
        armnnTfLiteParser::ITfLiteParserPtr parser = armnnTfLiteParser::ITfLiteParser::Create();
        const auto* bytes = static_cast<const std::uint8_t*>(model);
        armnn::INetworkPtr network = parser->CreateNetworkFromBinary(std::vector<std::uint8_t>(bytes, bytes + modelBytes));

        n.inputNames = parser->GetSubgraphInputTensorNames(0);
        n.outputNames = parser->GetSubgraphOutputTensorNames(0);
        n.inputInfos.clear();
        n.outputInfos.clear();
        for (const std::string& name : n.inputNames) {
            n.inputInfos.push_back(parser->GetNetworkInputBindingInfo(0, name));
        }
        for (const std::string& name : n.outputNames) {
            n.outputInfos.push_back(parser->GetNetworkOutputBindingInfo(0, name));
        }

        std::vector<armnn::BackendId> backends = detail::parseBackends(preferredBackends);
        if (backends.empty()) {
            throw std::invalid_argument("no preferred backends given");
        }
        std::vector<std::string> messages;
        armnn::IOptimizedNetworkPtr optimized = armnn::Optimize(*network, backends, n.runtime->GetDeviceSpec(),
                armnn::OptimizerOptions(), armnn::Optional<std::vector<std::string>&>(messages));
        if (!optimized) {
            std::string why = "Optimize failed";
            for (const std::string& m : messages) {
                why += "; " + m;
            }
            throw armnn::Exception(why);
        }
        n.layerBackends = countLayerBackends(*optimized);

        std::string loadError;
        armnn::INetworkProperties properties(importEnabled, importEnabled);
        if (n.runtime->LoadNetwork(n.id, std::move(optimized), loadError, properties) != armnn::Status::Success) {
            throw armnn::Exception(loadError.empty() ? "LoadNetwork failed" : loadError);
        }
        n.loaded = true;

        // The loaded network's tensor infos are the ones EnqueueWorkload checks against.
        n.inputs.clear();
        n.outputs.clear();
        for (armnn::BindingPointInfo& info : n.inputInfos) {
            info.second = n.runtime->GetInputTensorInfo(n.id, info.first);
            n.inputs.emplace_back(info.first, armnn::ConstTensor(info.second, nullptr));
        }
        for (armnn::BindingPointInfo& info : n.outputInfos) {
            info.second = n.runtime->GetOutputTensorInfo(n.id, info.first);
            n.outputs.emplace_back(info.first, armnn::Tensor(info.second, nullptr));
        }
        n.inputBound.assign(n.inputs.size(), false);
        n.outputBound.assign(n.outputs.size(), false);
    }); });
    loader.join();
    if (!ok) {
        // A half-done load leaves nothing behind: no bindings, and the network unloaded if it was loaded.
        std::string why = n.error;
        unload();
        n.error = why;
        n.inputNames.clear();
        n.outputNames.clear();
        n.inputInfos.clear();
        n.outputInfos.clear();
        n.inputs.clear();
        n.outputs.clear();
    }
    return ok;
}

inline std::string ArmnnNetwork::error() const {
    return impl_->error;
}

inline int ArmnnNetwork::inputCount() const {
    return static_cast<int>(impl_->inputInfos.size());
}

inline int ArmnnNetwork::outputCount() const {
    return static_cast<int>(impl_->outputInfos.size());
}

inline std::string ArmnnNetwork::inputName(int i) const {
    return i >= 0 && i < inputCount() ? impl_->inputNames[i] : std::string();
}

inline std::string ArmnnNetwork::outputName(int i) const {
    return i >= 0 && i < outputCount() ? impl_->outputNames[i] : std::string();
}

inline int ArmnnNetwork::inputDataType(int i) const {
    return i >= 0 && i < inputCount() ? static_cast<int>(impl_->inputInfos[i].second.GetDataType()) : -1;
}

inline int ArmnnNetwork::outputDataType(int i) const {
    return i >= 0 && i < outputCount() ? static_cast<int>(impl_->outputInfos[i].second.GetDataType()) : -1;
}

inline long long ArmnnNetwork::inputByteSize(int i) const {
    return i >= 0 && i < inputCount() ? impl_->inputInfos[i].second.GetNumBytes() : -1;
}

inline long long ArmnnNetwork::outputByteSize(int i) const {
    return i >= 0 && i < outputCount() ? impl_->outputInfos[i].second.GetNumBytes() : -1;
}

inline bool ArmnnNetwork::bindInput(int i, void* data, std::size_t bytes) {
    Impl& n = *impl_;
    return detail::guarded(n.error, "bindInput", [&] {
        if (!n.loaded || i < 0 || i >= inputCount() || data == nullptr || bytes < n.inputInfos[i].second.GetNumBytes()) {
            throw std::invalid_argument("input " + std::to_string(i) + ": not loaded, no such input or buffer too small");
        }
        n.inputs[i].second = armnn::ConstTensor(n.inputInfos[i].second, data);
        n.inputBound[i] = true;
    });
}

inline bool ArmnnNetwork::bindOutput(int i, void* data, std::size_t bytes) {
    Impl& n = *impl_;
    return detail::guarded(n.error, "bindOutput", [&] {
        if (!n.loaded || i < 0 || i >= outputCount() || data == nullptr || bytes < n.outputInfos[i].second.GetNumBytes()) {
            throw std::invalid_argument("output " + std::to_string(i) + ": not loaded, no such output or buffer too small");
        }
        n.outputs[i].second = armnn::Tensor(n.outputInfos[i].second, data);
        n.outputBound[i] = true;
    });
}

inline bool ArmnnNetwork::run() {
    Impl& n = *impl_;
    return detail::guarded(n.error, "EnqueueWorkload", [&] {
        if (!n.loaded) {
            throw std::logic_error("no network loaded");
        }
        if (std::find(n.inputBound.begin(), n.inputBound.end(), false) != n.inputBound.end()
                || std::find(n.outputBound.begin(), n.outputBound.end(), false) != n.outputBound.end()) {
            throw std::logic_error("every input and output must be bound before run");
        }
        if (n.runtime->EnqueueWorkload(n.id, n.inputs, n.outputs) != armnn::Status::Success) {
            throw armnn::Exception("EnqueueWorkload failed (Arm NN logs the workload's error)");
        }
    });
}

inline std::string ArmnnNetwork::layerBackends() const {
    return impl_->layerBackends;
}

inline void ArmnnNetwork::unload() {
    Impl& n = *impl_;
    if (n.loaded) {
        n.loaded = false;
        detail::guarded(n.error, "UnloadNetwork", [&] { n.runtime->UnloadNetwork(n.id); });
    }
}

} // namespace qbridge_armnn
