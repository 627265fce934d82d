// qbridge's façade over Arm NN 20.08: the part of its C++ API the armnn backend needs (the TfLite
// parser, Optimize with a preferred-backends list, IRuntime with CreationOptions, LoadNetwork,
// EnqueueWorkload on caller memory, binding infos), in a shape javacpp maps without help.
//
// Why a façade: Arm NN's own headers hand out unique_ptrs with custom deleters, Optional<T&>,
// std::vector<std::pair<...>> of tensors and throw C++ exceptions. Here every call catches
// armnn::Exception, std::exception and anything else, and reports failure through a bool and
// error(): no C++ exception ever reaches the JVM.
//
// The javacpp preset (io.qbridge.armnn.presets.armnn) parses this header only; the definitions
// are compiled into the same JNI library through QBRIDGE_ARMNN_IMPLEMENTATION.
#pragma once

#include <cstddef>
#include <string>

namespace qbridge_armnn {

/**
 * Arm NN's IRuntime: one per process. Loads the static backends (CpuRef) and the dynamic ones
 * found in the dynamic-backends folder (Debian: /usr/lib/<triplet>/armnn22, CpuAcc on Arm).
 */
class ArmnnRuntime {
public:
    /**
     * Creates the runtime; on failure ok() is false and error() says why. An empty path means the
     * armnn22 folder beside the loaded libarmnn.so.22 where there is one, else Arm NN's built-in default.
     */
    explicit ArmnnRuntime(const char* dynamicBackendsPath);
    ~ArmnnRuntime();

    bool ok() const;
    /** Why the last call failed; empty after a success. */
    std::string error() const;
    /** Arm NN's version, e.g. "22.0.0" for the 20.08 release. */
    std::string version() const;
    /** The backends this runtime can run on, comma-separated (e.g. "CpuAcc,CpuRef"). */
    std::string backendIds() const;
    /**
     * Sets the thread count of the Arm Compute Library's scheduler (used by CpuAcc). False, with
     * error(), when this library was built without the Compute Library's headers or libarm_compute
     * is not loaded in this process.
     */
    bool setComputeLibraryThreads(int threads);
    /** The Compute Library scheduler's thread count, or -1 when it cannot be reached. */
    int computeLibraryThreads();

private:
    friend class ArmnnNetwork;
    void* handle() const;

    ArmnnRuntime(const ArmnnRuntime&) = delete;
    ArmnnRuntime& operator=(const ArmnnRuntime&) = delete;
    struct Impl;
    Impl* impl_;
};

/** A .tflite model parsed, optimized and loaded into an ArmnnRuntime, with its inputs and outputs bound once to caller memory. */
class ArmnnNetwork {
public:
    ArmnnNetwork();
    /** Unloads the network from its runtime. */
    ~ArmnnNetwork();

    /**
     * Parses the .tflite flatbuffer (subgraph 0) with ITfLiteParser, optimizes it for the
     * preferred backends ("CpuAcc,CpuRef": comma-separated, best first) and loads it. With
     * importEnabled, Arm NN reads inputs from and writes outputs to the bound memory directly where
     * its backends can. False, with error() holding Arm NN's reason, on any failure.
     */
    bool load(ArmnnRuntime& runtime, const void* model, std::size_t modelBytes, const char* preferredBackends,
              bool importEnabled);
    std::string error() const;

    int inputCount() const;
    int outputCount() const;
    /** The TFLite tensor name of a subgraph input or output (the parser's binding name). */
    std::string inputName(int i) const;
    std::string outputName(int i) const;
    /** armnn::DataType as int: 1 Float32, 2 QAsymmU8, 3 Signed32, 7 QSymmS8, 8 QAsymmS8, ...; -1 for a bad index. */
    int inputDataType(int i) const;
    int outputDataType(int i) const;
    long long inputByteSize(int i) const;
    long long outputByteSize(int i) const;

    /** Binds an input to caller memory of at least inputByteSize(i) bytes, kept until unload. */
    bool bindInput(int i, void* data, std::size_t bytes);
    bool bindOutput(int i, void* data, std::size_t bytes);
    /** Runs one inference on the bound memory (EnqueueWorkload). */
    bool run();

    /** How many layers of the optimized network each backend runs, e.g. "CpuAcc:31,CpuRef:2". */
    std::string layerBackends() const;

    /** Unloads the network from the runtime; idempotent. */
    void unload();

private:
    ArmnnNetwork(const ArmnnNetwork&) = delete;
    ArmnnNetwork& operator=(const ArmnnNetwork&) = delete;
    struct Impl;
    Impl* impl_;
};

} // namespace qbridge_armnn

#ifdef QBRIDGE_ARMNN_IMPLEMENTATION
#include "qbridge_armnn_impl.hpp"
#endif
