package io.qbridge.testing;

import io.qbridge.Interpreter;
import io.qbridge.graph.Graph;
import io.qbridge.tflite.ModelWriter;

import java.nio.ByteBuffer;

/** Runs small in-memory models in tests. */
public final class ModelRunner {
    private ModelRunner() {
    }

    /** Serializes the graph (exercising the writer and reader too) and opens an interpreter. */
    public static Interpreter open(Graph graph, Interpreter.Backend backend, int threads) {
        ByteBuffer bytes = ModelWriter.toByteBuffer(graph);
        try {
            return new Interpreter(bytes, new Interpreter.Options().setBackend(backend).setNumThreads(threads));
        } catch (io.qbridge.UnsupportedModelException e) {
            // A native backend that does not implement an op refuses the model cleanly (auto then
            // runs java): the test does not apply to it. Refusals by the planner still fail.
            if (backend != Interpreter.Backend.JAVA && backend != Interpreter.Backend.AUTO
                    && e.getMessage().startsWith("the " + backend.id() + " backend")) {
                org.junit.jupiter.api.Assumptions.abort(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Runs a single-input single-output model on raw input bytes and returns the output bytes,
     * asserting that they equal java's ({@link JavaReference#assertBitExact}).
     */
    public static byte[] runBytes(Graph graph, Interpreter.Backend backend, int threads, byte[] input) {
        return JavaReference.assertBitExact(backend, outputBytes(graph, backend, threads, input),
                () -> outputBytes(graph, Interpreter.Backend.JAVA, 1, input), graph.operators().toString());
    }

    /** {@link #runBytes} for a float32 model. */
    public static float[] runFloats(Graph graph, Interpreter.Backend backend, int threads, float[] input) {
        byte[] in = SingleOpHarness.floats(input);
        return SingleOpHarness.toFloats(runBytes(graph, backend, threads, in));
    }

    private static byte[] outputBytes(Graph graph, Interpreter.Backend backend, int threads, byte[] input) {
        try (Interpreter it = open(graph, backend, threads)) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).bytes();
        }
    }
}
