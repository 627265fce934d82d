package io.qbridge.trainer;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a trained {@link DigitCnn} as a float32 .tflite, op for op what TensorFlow's converter
 * emits for the same Keras model: CONV_2D (SAME, fused ReLU), MAX_POOL_2D, RESHAPE (flatten),
 * FULLY_CONNECTED, SOFTMAX, batch 1, NHWC. Weights go to TFLite's layouts: conv filters
 * [outC, kh, kw, inC], fully-connected weights [out, in].
 * <p>
 * A quantization-aware network also gets a FAKE_QUANT op (8 bits, the trained moving-average
 * range) after each ReLU and after the logits, as {@code create_training_graph} left them for
 * TOCO, and the same range as min/max on the tensors either side, so that a converter can take
 * the ranges from either. The input carries its known range [-1, 1]. Its weights are written as
 * trained, already rounded to 8 bits per output channel, so the float model computes what the
 * trainer's fake-quantized forward pass computed.
 */
public final class TfliteExport {
    public static final String INPUT = "input";
    public static final String OUTPUT = "probabilities";

    private TfliteExport() {
    }

    public static void write(Trainer.Result trained, Path file) throws IOException {
        ModelWriter.write(graph(trained), file);
    }

    /** The trained model as a Graph, with FAKE_QUANT ops when training was quantization-aware. */
    public static Graph graph(Trainer.Result trained) {
        return graph(trained.network(), trained.fakeQuant());
    }

    /** The model as a Graph; {@code fakeQuant} null for a plain float model. */
    static Graph graph(DigitCnn net, FakeQuant fakeQuant) {
        DigitCnn.Architecture a = net.arch;
        float[] p = net.params;
        if (fakeQuant != null && fakeQuant.active()) {
            // The weights the network was trained with: on each output channel's 8-bit grid, which the
            // converter's symmetric per-channel quantization then reproduces level for level.
            p = new float[net.paramCount];
            FakeQuant.quantizeWeights(net, p);
        }
        GraphBuilder g = new GraphBuilder();
        int s = a.size();
        int x = g.input(INPUT, DataType.FLOAT32, new int[] {1, s, s, 1},
                fakeQuant == null ? QuantParams.NONE : range(-1f, 1f));

        int c1 = conv(g, "conv1", x, convFilter(p, net.w1, 1, a.conv1()), slice(p, net.b1, a.conv1()), 1, s,
                a.conv1(), quantRange(fakeQuant, FakeQuant.CONV1));
        c1 = fakeQuantOp(g, "conv1", c1, new int[] {1, s, s, a.conv1()}, fakeQuant, FakeQuant.CONV1);
        int p1 = pool(g, "pool1", c1, s / 2, a.conv1(), quantRange(fakeQuant, FakeQuant.CONV1));
        int c2 = conv(g, "conv2", p1, convFilter(p, net.w2, a.conv1(), a.conv2()), slice(p, net.b2, a.conv2()),
                a.conv1(), s / 2, a.conv2(), quantRange(fakeQuant, FakeQuant.CONV2));
        c2 = fakeQuantOp(g, "conv2", c2, new int[] {1, s / 2, s / 2, a.conv2()}, fakeQuant, FakeQuant.CONV2);
        int p2 = pool(g, "pool2", c2, s / 4, a.conv2(), quantRange(fakeQuant, FakeQuant.CONV2));

        int shape = g.constantInt32("flatten/shape", new int[] {2}, QuantParams.NONE, new int[] {1, a.flat()});
        int flat = g.tensor("flatten", DataType.FLOAT32, new int[] {1, a.flat()}, quantRange(fakeQuant, FakeQuant.CONV2));
        g.op(BuiltinOperator.RESHAPE, new int[] {p2, shape}, new int[] {flat},
                new OpOptions.Reshape(new int[] {1, a.flat()}));

        int last = flat;
        if (a.hidden() > 0) {
            last = dense(g, "fc1", flat, denseWeights(p, net.w3, a.flat(), a.hidden()), slice(p, net.b3, a.hidden()),
                    a.flat(), a.hidden(), Activation.RELU, quantRange(fakeQuant, FakeQuant.HIDDEN));
            last = fakeQuantOp(g, "fc1", last, new int[] {1, a.hidden()}, fakeQuant, FakeQuant.HIDDEN);
        }
        int logits = dense(g, "logits", last, denseWeights(p, net.w4, a.lastIn(), a.classes()),
                slice(p, net.b4, a.classes()), a.lastIn(), a.classes(), Activation.NONE,
                quantRange(fakeQuant, FakeQuant.LOGITS));
        logits = fakeQuantOp(g, "logits", logits, new int[] {1, a.classes()}, fakeQuant, FakeQuant.LOGITS);
        int probs = g.tensor(OUTPUT, DataType.FLOAT32, new int[] {1, a.classes()}, QuantParams.NONE);
        g.op(BuiltinOperator.SOFTMAX, new int[] {logits}, new int[] {probs}, new OpOptions.Softmax(1f));
        g.output(probs);
        g.description("qbridge default model: a CNN trained by qbridge-trainer on synthetic digits "
                + "(28x28 grayscale, white on black; input (pixel - 127.5) / 127.5; output: probabilities of 0-9)"
                + (fakeQuant != null ? "; quantization-aware (FAKE_QUANT ranges)" : ""));
        return g.build();
    }

    private static int conv(GraphBuilder g, String name, int in, float[] filter, float[] bias, int inC, int size,
                            int outC, QuantParams outRange) {
        int f = g.constantFloat32(name + "/weights", new int[] {outC, DigitCnn.K, DigitCnn.K, inC}, filter);
        int b = g.constantFloat32(name + "/bias", new int[] {outC}, bias);
        int out = g.tensor(name + "/Relu", DataType.FLOAT32, new int[] {1, size, size, outC}, outRange);
        g.op(BuiltinOperator.CONV_2D, new int[] {in, f, b}, new int[] {out},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU, 1, 1));
        return out;
    }

    private static int pool(GraphBuilder g, String name, int in, int size, int channels, QuantParams range) {
        int out = g.tensor(name, DataType.FLOAT32, new int[] {1, size, size, channels}, range);
        g.op(BuiltinOperator.MAX_POOL_2D, new int[] {in}, new int[] {out},
                new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE));
        return out;
    }

    private static int dense(GraphBuilder g, String name, int in, float[] weights, float[] bias, int n, int m,
                             Activation activation, QuantParams outRange) {
        int w = g.constantFloat32(name + "/weights", new int[] {m, n}, weights);
        int b = g.constantFloat32(name + "/bias", new int[] {m}, bias);
        int out = g.tensor(activation == Activation.RELU ? name + "/Relu" : name, DataType.FLOAT32, new int[] {1, m},
                outRange);
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, b}, new int[] {out},
                new OpOptions.FullyConnected(activation, 0, false, false));
        return out;
    }

    /** A FAKE_QUANT op after tensor {@code in} when training was quantization-aware; returns its output. */
    private static int fakeQuantOp(GraphBuilder g, String name, int in, int[] shape, FakeQuant fq, int which) {
        if (fq == null) {
            return in;
        }
        float[] r = fq.range(which);
        int out = g.tensor(name + "/act_quant", DataType.FLOAT32, shape, range(r[0], r[1]));
        g.op(BuiltinOperator.FAKE_QUANT, new int[] {in}, new int[] {out}, new OpOptions.FakeQuant(r[0], r[1], 8, false));
        return out;
    }

    private static QuantParams quantRange(FakeQuant fq, int which) {
        if (fq == null) {
            return QuantParams.NONE;
        }
        float[] r = fq.range(which);
        return range(r[0], r[1]);
    }

    private static QuantParams range(float min, float max) {
        return QuantParams.of(new float[0], new int[0], 0, new float[] {min}, new float[] {max});
    }

    /** [outC][inC][kh][kw] (the trainer's) to [outC][kh][kw][inC] (TFLite's). */
    static float[] convFilter(float[] p, int offset, int inC, int outC) {
        int k = DigitCnn.K;
        float[] f = new float[k * k * inC * outC];
        for (int oc = 0; oc < outC; oc++) {
            for (int ic = 0; ic < inC; ic++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        f[((oc * k + ky) * k + kx) * inC + ic] = p[offset + ((oc * inC + ic) * k + ky) * k + kx];
                    }
                }
            }
        }
        return f;
    }

    /** [in][out] (the trainer's) to [out][in] (TFLite's). */
    static float[] denseWeights(float[] p, int offset, int n, int m) {
        float[] w = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                w[j * n + i] = p[offset + i * m + j];
            }
        }
        return w;
    }

    static float[] slice(float[] p, int offset, int count) {
        return java.util.Arrays.copyOfRange(p, offset, offset + count);
    }
}
