package io.qbridge;

import io.qbridge.backend.Backend;
import io.qbridge.backend.BackendRegistry;
import io.qbridge.backend.Executable;
import io.qbridge.graph.Graph;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.ModelReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Runs a TensorFlow Lite model, like TFLite Java's {@code org.tensorflow.lite.Interpreter}:
 *
 * <pre>{@code
 * try (Interpreter interpreter = new Interpreter(Path.of("model.tflite"),
 *         new Interpreter.Options().setBackend(Interpreter.Backend.AUTO).setNumThreads(2))) {
 *     interpreter.getInputTensor(0).copyFrom(pixels);      // byte[], float[], ByteBuffer
 *     interpreter.run();
 *     float[] scores = interpreter.getOutputTensor(0).floats();
 * }
 * }</pre>
 *
 * The model is read, validated and planned once, in the constructor; a malformed model throws
 * {@link InvalidModelException}, an unsupported one {@link UnsupportedModelException}.
 * <p>
 * Threads: an Interpreter runs one inference at a time. {@code run()} from a second thread while one
 * runs throws IllegalStateException (it never computes a wrong answer); {@code close()} while
 * another thread runs waits for that inference to end, then frees; every call after close throws
 * IllegalStateException. Use one Interpreter per thread; {@link Options#setNumThreads threads}
 * parallelise a single inference inside it.
 */
public final class Interpreter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Interpreter.class.getName());

    /** Which implementation runs the model. */
    public enum Backend {
        /** The fastest that loads and accepts the model: native NEON, then Arm NN, then Java. */
        AUTO,
        /** The pure-Java reference: any JVM. */
        JAVA,
        /** qbridge's own C++ NEON kernels through JNI. */
        NEON,
        /** Arm NN (Debian's libarmnn) with the Arm Compute Library. */
        ARMNN;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses "auto", "java", "neon", "armnn" (any case). */
        public static Backend parse(String s) {
            for (Backend b : values()) {
                if (b.id().equalsIgnoreCase(s.trim())) {
                    return b;
                }
            }
            throw new IllegalArgumentException("unknown backend '" + s + "': expected auto, java, neon or armnn");
        }
    }

    /** Interpreter settings. */
    public static final class Options {
        /** The most threads one inference may use. */
        public static final int MAX_THREADS = 256;

        private Backend backend = Backend.AUTO;
        private int numThreads = 1;

        public Options setBackend(Backend backend) {
            this.backend = java.util.Objects.requireNonNull(backend);
            return this;
        }

        /** Threads for one inference (default 1); results are identical for every count. */
        public Options setNumThreads(int numThreads) {
            if (numThreads < 1 || numThreads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ", got " + numThreads);
            }
            this.numThreads = numThreads;
            return this;
        }

        public Backend getBackend() {
            return backend;
        }

        public int getNumThreads() {
            return numThreads;
        }
    }

    private final Graph graph;
    private final Plan plan;
    private final io.qbridge.backend.Backend backend;
    private final Executable executable;
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private final RunGuard guard = new RunGuard();

    public Interpreter(Path modelFile) throws IOException {
        this(modelFile, new Options());
    }

    public Interpreter(Path modelFile, Options options) throws IOException {
        this(ModelReader.map(modelFile), options, modelFile);
    }

    public Interpreter(ByteBuffer model) {
        this(model, new Options());
    }

    /** Runs a model held in memory; the buffer must not change while the interpreter lives. */
    public Interpreter(ByteBuffer model, Options options) {
        this(model, options, null);
    }

    /** @param source the model's file, named in the message of an InvalidModelException; may be null */
    private Interpreter(ByteBuffer model, Options options, Path source) {
        ByteBuffer bytes = model.slice().order(ByteOrder.LITTLE_ENDIAN);
        Graph read;
        try {
            read = ModelReader.read(bytes);
        } catch (InvalidModelException e) {
            throw source == null ? e : new InvalidModelException(source + ": " + e.getMessage(), e);
        }
        this.graph = read;
        this.plan = Planner.plan(graph);
        Selected s = select(options, plan);
        this.backend = s.backend;
        this.executable = s.executable;
        this.inputs = tensors(graph.inputs());
        this.outputs = tensors(graph.outputs());
    }

    private record Selected(io.qbridge.backend.Backend backend, Executable executable) {
    }

    private static Selected select(Options options, Plan plan) {
        if (options.backend != Backend.AUTO) {
            io.qbridge.backend.Backend b = BackendRegistry.byName(options.backend.id());
            if (b == null) {
                throw new BackendUnavailableException("the " + options.backend.id()
                        + " backend is not part of this build of qbridge");
            }
            String why = b.unavailableReason();
            if (why != null) {
                throw new BackendUnavailableException("the " + b.name() + " backend cannot run here: " + why);
            }
            return new Selected(b, b.compile(plan, options.numThreads));
        }
        List<String> skipped = new ArrayList<>();
        for (io.qbridge.backend.Backend b : BackendRegistry.all()) {
            String why = b.unavailableReason();
            if (why != null) {
                skipped.add(b.name() + ": " + why);
                continue;
            }
            if (!b.usableForAuto()) {
                continue;
            }
            try {
                Executable e = b.compile(plan, options.numThreads);
                if (!skipped.isEmpty()) {
                    LOG.info("qbridge: running on " + b.name() + " (" + String.join("; ", skipped) + ")");
                }
                return new Selected(b, e);
            } catch (UnsupportedModelException e) {
                if (b.name().equals("java")) {
                    throw e;
                }
                skipped.add(b.name() + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("no backend available");
    }

    private Tensor[] tensors(int[] indices) {
        Tensor[] t = new Tensor[indices.length];
        for (int i = 0; i < indices.length; i++) {
            t[i] = new Tensor(graph.tensor(indices[i]), executable.tensorBuffer(indices[i]), guard);
        }
        return t;
    }

    /**
     * Runs one inference on the inputs already copied in. Inputs keep their values: running again
     * without copying new ones in gives the same outputs.
     */
    public void run() {
        guard.enter();
        try {
            executable.run();
        } finally {
            guard.exit();
        }
    }

    /**
     * TFLite-style convenience: copies {@code input} (byte[], float[], int[] or ByteBuffer) into
     * input 0, runs, and copies output 0 into {@code output} (same kinds).
     */
    public void run(Object input, Object output) {
        guard.enter();   // held over the copies too: no other run() changes input or output in between
        try {
            copyIn(inputs[0], input);
            executable.run();
            copyOut(outputs[0], output);
        } finally {
            guard.exit();
        }
    }

    private static void copyIn(Tensor t, Object src) {
        if (src instanceof byte[] b) {
            t.copyFrom(b);
        } else if (src instanceof float[] f) {
            t.copyFrom(f);
        } else if (src instanceof int[] i) {
            t.copyFrom(i);
        } else if (src instanceof ByteBuffer bb) {
            t.copyFrom(bb.duplicate());
        } else {
            throw new IllegalArgumentException("input must be byte[], float[], int[] or ByteBuffer, got "
                    + (src == null ? "null" : src.getClass().getName()));
        }
    }

    private static void copyOut(Tensor t, Object dst) {
        if (dst instanceof byte[] b) {
            t.copyTo(b);
        } else if (dst instanceof float[] f) {
            t.copyTo(f);
        } else if (dst instanceof int[] i) {
            t.copyTo(i);
        } else if (dst instanceof ByteBuffer bb) {
            t.copyTo(bb.duplicate());
        } else {
            throw new IllegalArgumentException("output must be byte[], float[], int[] or ByteBuffer, got "
                    + (dst == null ? "null" : dst.getClass().getName()));
        }
    }

    public int getInputTensorCount() {
        return inputs.length;
    }

    public int getOutputTensorCount() {
        return outputs.length;
    }

    public Tensor getInputTensor(int i) {
        guard.checkOpen();
        checkIndex(i, inputs.length, "input");
        return inputs[i];
    }

    public Tensor getOutputTensor(int i) {
        guard.checkOpen();
        checkIndex(i, outputs.length, "output");
        return outputs[i];
    }

    /** Index of the input tensor with that name. */
    public int getInputIndex(String name) {
        return indexOf(inputs, name, "input");
    }

    public int getOutputIndex(String name) {
        return indexOf(outputs, name, "output");
    }

    public Tensor getInputTensor(String name) {
        return inputs[getInputIndex(name)];
    }

    public Tensor getOutputTensor(String name) {
        return outputs[getOutputIndex(name)];
    }

    /** The backend actually running the model: java, neon or armnn. */
    public String backendName() {
        return backend.name();
    }

    /**
     * What the backend says about how it runs this model, or "" where there is nothing to add:
     * armnn gives the layers each Arm NN backend runs, e.g. "CpuAcc:64" (CpuAcc really used).
     */
    public String backendDetails() {
        return executable.details();
    }

    /** The validated model. */
    public Graph graph() {
        return graph;
    }

    /** The execution plan (operators, arena size, MACs). */
    public Plan plan() {
        return plan;
    }

    private static int indexOf(Tensor[] tensors, String name, String kind) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].name().equals(name)) {
                return i;
            }
            names.add(io.qbridge.graph.Printable.of(tensors[i].name()));
        }
        throw new IllegalArgumentException("no " + kind + " named '" + io.qbridge.graph.Printable.of(name) + "'; the model's " + kind + "s are " + names);
    }

    private static void checkIndex(int i, int n, String kind) {
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException(kind + " index " + i + " out of range: the model has " + n + " " + kind
                    + (n == 1 ? "" : "s"));
        }
    }

    /** Frees the backend's memory; waits first for an inference another thread is running. */
    @Override
    public void close() {
        if (guard.close()) {
            executable.close();
        }
    }
}
