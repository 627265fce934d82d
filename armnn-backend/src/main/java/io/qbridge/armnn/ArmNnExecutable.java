package io.qbridge.armnn;

import io.qbridge.DataType;
import io.qbridge.QbridgeException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.armnn.bindings.ArmnnNetwork;
import io.qbridge.backend.Executable;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.tflite.ModelWriter;
import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A model loaded into Arm NN. Each graph input and output lives in native memory of its own
 * (64-byte aligned), bound once to Arm NN's input/output tensors: Java writes inputs and reads
 * outputs through direct ByteBuffers over that memory, and {@link #run()} is one JNI call to
 * {@code EnqueueWorkload}, which copies in and out of Arm NN's own tensors (memory import, where
 * Arm NN's backends would use that memory directly, is off by default: it gave wrong results in
 * Arm NN 20.08; {@code qbridge.armnn.importMemory=true} turns it on).
 */
final class ArmNnExecutable implements Executable {
    private static final Logger LOG = Logger.getLogger(ArmNnExecutable.class.getName());
    private static final int ALIGNMENT = 64;

    private final ArmNnRuntime runtime;
    private final ArmnnNetwork network;
    private final List<BytePointer> memory = new ArrayList<>();
    private final Map<Integer, ByteBuffer> buffers = new HashMap<>();
    private final boolean usesComputeLibrary;
    private final int threads;
    private final String layerBackends;
    private boolean closed;

    ArmNnExecutable(ArmNnRuntime runtime, Plan plan, String preferredBackends, int threads) {
        this.runtime = runtime;
        this.threads = threads;
        Graph graph = ArmNnModelAdapter.adapt(plan.graph());
        List<String> crashing = ArmNnPreflight.crashingOperators(graph);
        if (!crashing.isEmpty()) {
            throw new UnsupportedModelException("armnn", crashing);
        }
        // Off by default: with Arm NN 20.08's memory import on, SharedModelsTest saw wrong outputs
        // (mobilenet_v2 on cat.bmp, bird.bmp; person_detect) after many networks had come and gone.
        boolean importMemory = Boolean.parseBoolean(
                ArmNnRuntime.setting("qbridge.armnn.importMemory", "QBRIDGE_ARMNN_IMPORT_MEMORY", "false"));
        ArmnnNetwork net = new ArmnnNetwork();
        // Arm NN's parser gets the validated Graph written anew, not the caller's bytes: it trusts its
        // input (a corrupted file that still passes Java's validation, e.g. through fields qbridge
        // does not read, made it segfault in TfLiteParser::CreateNetworkFromModel: CorruptionTest).
        BytePointer model = nativeCopy(ModelWriter.toByteBuffer(graph));
        try {
            boolean loaded;
            // The Compute Library sizes its kernels' work split (arm_gemm's among them) for the
            // scheduler's thread count when the network is loaded; run with another count, CpuAcc
            // spun forever (a plain C++ program did the same under QEMU: set_num_threads(1) after
            // LoadNetwork hangs, before it runs). So the count is set before loading, and loading
            // and running hold the runtime's lock so no other network changes it in between.
            synchronized (runtime) {
                if (preferredBackends.contains("CpuAcc") && runtime.backendIds.contains("CpuAcc")) {
                    runtime.useComputeLibraryThreads(threads);
                }
                loaded = net.load(runtime.runtime, model, model.limit() - model.position(), preferredBackends,
                        importMemory);
            }
            if (!loaded) {
                throw new UnsupportedModelException("armnn", List.of("Arm NN 20.08: " + net.error()));
            }
            this.network = net;
            this.layerBackends = net.layerBackends();
            checkSameTensors(graph);
            for (int i = 0; i < graph.inputs().length; i++) {
                BytePointer p = allocate(graph.input(i));
                if (!net.bindInput(i, p, p.limit() - p.position())) {
                    throw new QbridgeException("Arm NN: " + net.error());
                }
            }
            for (int i = 0; i < graph.outputs().length; i++) {
                BytePointer p = allocate(graph.output(i));
                if (!net.bindOutput(i, p, p.limit() - p.position())) {
                    throw new QbridgeException("Arm NN: " + net.error());
                }
            }
        } catch (RuntimeException e) {
            net.close();
            freeMemory();
            throw e;
        } finally {
            model.close();
        }
        this.usesComputeLibrary = layerBackends.contains("CpuAcc");
        LOG.fine(() -> "qbridge: Arm NN runs the model's layers on " + layerBackends + " (preferred " + preferredBackends
                + ", " + threads + " thread" + (threads == 1 ? ")" : "s)"));
    }

    /** Arm NN's parser reads the model from native memory: a direct buffer as it is, else a copy. */
    private static BytePointer nativeCopy(ByteBuffer modelBytes) {
        ByteBuffer b = modelBytes.duplicate();
        if (b.isDirect()) {
            return new BytePointer(b);
        }
        BytePointer p = new BytePointer(b.remaining());
        p.put(b.array(), b.arrayOffset() + b.position(), b.remaining());
        return p;
    }

    /** Arm NN binds inputs and outputs by the TFLite tensor names, in subgraph order: they must match the Graph's. */
    private void checkSameTensors(Graph graph) {
        List<String> problems = new ArrayList<>();
        if (network.inputCount() != graph.inputs().length || network.outputCount() != graph.outputs().length) {
            problems.add("Arm NN sees " + network.inputCount() + " inputs and " + network.outputCount()
                    + " outputs, the model has " + graph.inputs().length + " and " + graph.outputs().length);
        } else {
            for (int i = 0; i < graph.inputs().length; i++) {
                check("input", graph.input(i), network.inputName(i), network.inputDataType(i),
                        network.inputByteSize(i), problems);
            }
            for (int i = 0; i < graph.outputs().length; i++) {
                check("output", graph.output(i), network.outputName(i), network.outputDataType(i),
                        network.outputByteSize(i), problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedModelException("armnn", problems);
        }
    }

    private static void check(String kind, TensorSpec t, String name, int armnnType, long bytes, List<String> problems) {
        if (!t.name().equals(name) || armnnType != armnnDataType(t.type()) || bytes != t.byteSize()) {
            problems.add(kind + " " + t + ": Arm NN binds '" + name + "' of Arm NN type " + armnnType + " and "
                    + bytes + " bytes");
        }
    }

    /** armnn::DataType's numbering (armnn/Types.hpp) for the types a TFLite graph input or output can have. */
    static int armnnDataType(DataType t) {
        return switch (t) {
            case FLOAT16 -> 0;
            case FLOAT32 -> 1;
            case UINT8 -> 2;
            case INT32 -> 3;
            case BOOL -> 4;
            case INT16 -> 5;
            case INT8 -> 8; // asymmetric: how Arm NN's parser maps TFLite int8 tensors
            default -> -1;
        };
    }

    private BytePointer allocate(TensorSpec t) {
        long size = t.byteSize();
        BytePointer block = new BytePointer(size + ALIGNMENT);
        memory.add(block);
        long skip = (ALIGNMENT - (block.address() % ALIGNMENT)) % ALIGNMENT;
        BytePointer aligned = new BytePointer(block).position(skip).limit(skip + size);
        buffers.put(t.index(), aligned.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        return aligned;
    }

    @Override
    public ByteBuffer tensorBuffer(int tensorIndex) {
        ByteBuffer b = buffers.get(tensorIndex);
        if (b == null) {
            throw new IllegalArgumentException("tensor " + tensorIndex + " is not a graph input or output:"
                    + " the armnn backend exposes only those");
        }
        // javacpp's view of the aligned block starts at its position: slice so that index 0 is the tensor's first byte
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void run() {
        if (closed) {
            throw new IllegalStateException("executable is closed");
        }
        boolean ran;
        if (usesComputeLibrary) {
            // the thread count this network was loaded with, kept for the whole run (see the constructor)
            synchronized (runtime) {
                runtime.useComputeLibraryThreads(threads);
                ran = network.run();
            }
        } else {
            ran = network.run();
        }
        if (!ran) {
            throw new QbridgeException("Arm NN: " + network.error());
        }
    }

    /** "layers CpuAcc:31,CpuRef:2": Arm NN's placement of the optimized network's layers. */
    @Override
    public String details() {
        return "layers " + layerBackends;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            network.unload();
            network.close();
            freeMemory();
        }
    }

    private void freeMemory() {
        for (BytePointer p : memory) {
            p.close();
        }
        memory.clear();
    }
}
