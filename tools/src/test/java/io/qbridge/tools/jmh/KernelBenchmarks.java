package io.qbridge.tools.jmh;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the hot kernels, one MobileNet-sized layer per case, per backend and type.
 * One operation is one layer; GMAC/s = ops/s × the MACs printed at set-up. Run from the README:
 * {@code mvn -q -pl tools -am test-compile exec:exec -Djmh.args="-p backend=java"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KernelBenchmarks {
    /** conv3x3: 56x56x32 → 32; conv1x1: 28x28x128 → 128; dw3x3: 56x56x64; fc: 1024 → 1001. */
    @Param({"conv3x3", "conv1x1", "dw3x3", "fc"})
    public String layer;

    @Param({"uint8", "int8"})
    public String type;

    @Param({"java", "neon"})
    public String backend;

    @Param({"1"})
    public int threads;

    private Interpreter interpreter;

    @Setup(Level.Trial)
    public void setUp() {
        Graph g = layer(layer, type.equals("uint8") ? DataType.UINT8 : DataType.INT8);
        interpreter = new Interpreter(ModelWriter.toByteBuffer(g), new Interpreter.Options()
                .setBackend(Interpreter.Backend.parse(backend)).setNumThreads(threads));
        byte[] input = new byte[interpreter.getInputTensor(0).numBytes()];
        new Random(1).nextBytes(input);
        interpreter.getInputTensor(0).copyFrom(input);
        System.out.printf("%n%s %s on %s: %,d MACs per operation%n", layer, type, interpreter.backendName(),
                interpreter.plan().macs());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        interpreter.close();
    }

    @Benchmark
    public void run() {
        interpreter.run();
    }

    static Graph layer(String name, DataType t) {
        Random r = new Random(7);
        boolean u8 = t == DataType.UINT8;
        QuantParams act = QuantParams.perTensor(0.05f, u8 ? 128 : -3);
        GraphBuilder g = new GraphBuilder();
        int[] inShape;
        int[] filterShape;
        int[] outShape;
        switch (name) {
            case "conv3x3" -> {
                inShape = new int[] {1, 56, 56, 32};
                filterShape = new int[] {32, 3, 3, 32};
                outShape = new int[] {1, 56, 56, 32};
            }
            case "conv1x1" -> {
                inShape = new int[] {1, 28, 28, 128};
                filterShape = new int[] {128, 1, 1, 128};
                outShape = new int[] {1, 28, 28, 128};
            }
            case "dw3x3" -> {
                inShape = new int[] {1, 56, 56, 64};
                filterShape = new int[] {1, 3, 3, 64};
                outShape = new int[] {1, 56, 56, 64};
            }
            case "fc" -> {
                inShape = new int[] {1, 1024};
                filterShape = new int[] {1001, 1024};
                outShape = new int[] {1, 1001};
            }
            default -> throw new IllegalArgumentException(name);
        }
        int channels = name.equals("dw3x3") ? filterShape[3] : filterShape[0];
        QuantParams weights;
        if (u8) {
            weights = QuantParams.perTensor(0.01f, 120);
        } else {
            float[] scales = new float[channels];
            for (int c = 0; c < channels; c++) {
                scales[c] = 0.005f + 0.01f * r.nextFloat();
            }
            weights = QuantParams.perChannel(scales, new int[channels], name.equals("dw3x3") ? 3 : 0);
        }
        int weightCount = 1;
        for (int d : filterShape) {
            weightCount *= d;
        }
        int[] w = new int[weightCount];
        for (int i = 0; i < w.length; i++) {
            w[i] = u8 ? r.nextInt(256) : r.nextInt(255) - 127;
        }
        int[] bias = new int[channels];
        for (int c = 0; c < channels; c++) {
            bias[c] = r.nextInt(2001) - 1000;
        }
        float biasScale = 0.05f * (u8 ? 0.01f : weights.scale(0));
        float[] biasScales = new float[channels];
        for (int c = 0; c < channels; c++) {
            biasScales[c] = 0.05f * (u8 ? 0.01f : weights.scale(c));
        }
        QuantParams biasQuant = u8 ? QuantParams.perTensor(biasScale, 0)
                : QuantParams.perChannel(biasScales, new int[channels], 0);
        int in = g.input("in", t, inShape, act);
        int f = g.constantQuantized("w", t, filterShape, weights, w);
        int b = g.constantInt32("b", new int[] {channels}, biasQuant, bias);
        int out = g.tensor("out", t, outShape, QuantParams.perTensor(0.2f, u8 ? 120 : 5));
        OpOptions options = switch (name) {
            case "dw3x3" -> new OpOptions.DepthwiseConv2D(Padding.SAME, 1, 1, 1, Activation.RELU6, 1, 1);
            case "fc" -> new OpOptions.FullyConnected(Activation.NONE, 0, false, false);
            default -> new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU6, 1, 1);
        };
        int code = switch (name) {
            case "dw3x3" -> BuiltinOperator.DEPTHWISE_CONV_2D;
            case "fc" -> BuiltinOperator.FULLY_CONNECTED;
            default -> BuiltinOperator.CONV_2D;
        };
        g.op(code, new int[] {in, f, b}, new int[] {out}, options);
        g.output(out);
        return g.build();
    }
}
