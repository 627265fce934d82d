package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a one-operator model with any number of typed inputs (graph inputs fed at run time, or
 * constants), runs it through the writer, the reader and a backend, and returns the output's
 * bytes. Values travel as little-endian bytes; the static helpers convert arrays.
 */
public final class SingleOpHarness {
    private final GraphBuilder g = new GraphBuilder();
    private final List<byte[]> feeds = new ArrayList<>();
    private int output = -1;
    private int constants;

    /** A graph input holding {@code data} when the model runs. */
    public int input(DataType type, int[] shape, QuantParams q, byte[] data) {
        int t = g.input("in" + feeds.size(), type, shape, q);
        feeds.add(data);
        return t;
    }

    /** A constant input. */
    public int constant(DataType type, int[] shape, QuantParams q, byte[] data) {
        return g.constant("const" + constants++, type, shape, q, ByteBuffer.wrap(data.clone()));
    }

    /** The operator's (single) output, also the graph's. */
    public int output(DataType type, int[] shape, QuantParams q) {
        output = g.tensor("out", type, shape, q);
        g.output(output);
        return output;
    }

    public SingleOpHarness op(int builtinCode, int[] inputs, OpOptions options) {
        g.op(builtinCode, inputs, new int[] {output}, options);
        return this;
    }

    public Graph graph() {
        return g.build();
    }

    /**
     * Runs the model once and returns the output tensor's bytes, asserting that they equal java's
     * ({@link JavaReference#assertBitExact}).
     */
    public byte[] run(Interpreter.Backend backend, int threads) {
        Graph graph = graph();
        return JavaReference.assertBitExact(backend, outputBytes(graph, backend, threads),
                () -> outputBytes(graph, Interpreter.Backend.JAVA, 1), graph.operators().toString());
    }

    private byte[] outputBytes(Graph graph, Interpreter.Backend backend, int threads) {
        try (Interpreter it = ModelRunner.open(graph, backend, threads)) {
            for (int i = 0; i < feeds.size(); i++) {
                it.getInputTensor(i).copyFrom(feeds.get(i));
            }
            it.run();
            return it.getOutputTensor(0).bytes();
        }
    }

    // ---------------------------------------------------------------- conversions

    public static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    public static float[] toFloats(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    public static byte[] int32s(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b.array();
    }

    public static int[] toInt32s(byte[] bytes) {
        int[] v = new int[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        return v;
    }

    public static byte[] int64s(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return b.array();
    }

    public static long[] toInt64s(byte[] bytes) {
        long[] v = new long[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
        return v;
    }

    public static byte[] int16s(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    public static int[] toInt16s(byte[] bytes) {
        int[] v = new int[bytes.length / 2];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getShort(i * 2);
        }
        return v;
    }

    /** int values stored as int8/uint8 bytes. */
    public static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Bytes read back as int8 (signed) or uint8 values. */
    public static int[] toInts(byte[] b, DataType type) {
        int[] v = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = type == DataType.UINT8 ? b[i] & 0xFF : b[i];
        }
        return v;
    }

    /**
     * Builds a single-op model and checks that the java backend refuses it with {@code type}, the
     * message mentioning {@code mention}.
     */
    public static <T extends io.qbridge.QbridgeException> T assertRefused(Class<T> type, String mention,
                                                                         java.util.function.Consumer<SingleOpHarness> build) {
        SingleOpHarness h = new SingleOpHarness();
        build.accept(h);
        T e = org.junit.jupiter.api.Assertions.assertThrows(type, () -> h.run(Interpreter.Backend.JAVA, 1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(mention), e.getMessage());
        return e;
    }
}
