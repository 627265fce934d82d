package io.qbridge.fuzz;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The fuzz target's seed corpus, made here rather than committed: small models of every operator
 * family qbridge runs (uint8 and int8 per-channel convolutions, depthwise, fully connected,
 * pooling, ADD with broadcasting, CONCATENATION, SOFTMAX, QUANTIZE/DEQUANTIZE, RESHAPE, a float
 * model), and the shared test models under 64 KiB where ../shared is present. Written before the
 * tests run (exec-maven-plugin, process-test-classes) into the folder Jazzer reads seeds from.
 * <pre>java io.qbridge.fuzz.SeedModels OUT_DIR</pre>
 */
public final class SeedModels {
    private static final int SHARED_LIMIT = 64 * 1024;

    private SeedModels() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[0]));
        int n = 0;
        for (Map.Entry<String, Graph> e : built().entrySet()) {
            Files.write(out.resolve("seed-" + e.getKey()), ModelWriter.toBytes(e.getValue()));
            n++;
        }
        Path shared = sharedModels();
        if (shared != null) {
            try (Stream<Path> files = Files.walk(shared)) {
                for (Path p : files.filter(p -> p.toString().endsWith(".tflite")).sorted().toList()) {
                    if (Files.size(p) <= SHARED_LIMIT) {
                        Files.copy(p, out.resolve("shared-" + p.getFileName().toString().replace(".tflite", "")),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        n++;
                    }
                }
            }
        }
        System.out.println("qbridge-fuzz: " + n + " seed models in " + out + (shared == null ? " (no ../shared)" : ""));
    }

    private static Path sharedModels() {
        for (String candidate : new String[] {System.getenv("QBRIDGE_SHARED"), System.getProperty("qbridge.shared"),
                "../shared", "../../shared"}) {
            if (candidate != null && !candidate.isEmpty() && Files.isDirectory(Path.of(candidate, "models"))) {
                return Path.of(candidate, "models");
            }
        }
        return null;
    }

    /** The models made in code, by name. */
    static Map<String, Graph> built() {
        Map<String, Graph> m = new LinkedHashMap<>();
        m.put("uint8-conv-pool-fc-softmax", uint8Network());
        m.put("int8-depthwise-add-concat-mean", int8Network());
        m.put("float-fc-quantize-dequantize", floatEdges());
        return m;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** uint8 per-tensor (legacy): CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX. */
    private static Graph uint8Network() {
        GraphBuilder g = new GraphBuilder();
        QuantParams act = QuantParams.perTensor(0.05f, 128);
        int in = g.input("image", DataType.UINT8, new int[] {1, 8, 8, 3}, QuantParams.perTensor(1f / 128, 128));
        int w = g.constantBytes("conv_w", DataType.UINT8, new int[] {4, 3, 3, 3}, QuantParams.perTensor(0.02f, 120),
                random(108, 1));
        int b = g.constantInt32("conv_b", new int[] {4}, QuantParams.perTensor(0.02f / 128, 0), new int[] {10, -20, 30, 0});
        int c = g.tensor("conv", DataType.UINT8, new int[] {1, 8, 8, 4}, act);
        g.op(BuiltinOperator.CONV_2D, new int[] {in, w, b}, new int[] {c},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU6, 1, 1));
        int p = g.tensor("pool", DataType.UINT8, new int[] {1, 4, 4, 4}, act);
        g.op(BuiltinOperator.MAX_POOL_2D, new int[] {c}, new int[] {p},
                new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE));
        int shape = g.constantInt32("shape", new int[] {2}, QuantParams.NONE, new int[] {1, 64});
        int flat = g.tensor("flat", DataType.UINT8, new int[] {1, 64}, act);
        g.op(BuiltinOperator.RESHAPE, new int[] {p, shape}, new int[] {flat}, new OpOptions.Reshape(new int[] {1, 64}));
        int fw = g.constantBytes("fc_w", DataType.UINT8, new int[] {5, 64}, QuantParams.perTensor(0.01f, 128),
                random(320, 2));
        int logits = g.tensor("logits", DataType.UINT8, new int[] {1, 5}, QuantParams.perTensor(0.1f, 128));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {flat, fw, -1}, new int[] {logits},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        int probs = g.tensor("probs", DataType.UINT8, new int[] {1, 5}, QuantParams.perTensor(1f / 256, 0));
        g.op(BuiltinOperator.SOFTMAX, new int[] {logits}, new int[] {probs}, new OpOptions.Softmax(1f));
        g.output(probs);
        return g.build();
    }

    /** int8 per-channel: DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, ADD with broadcasting, CONCATENATION, MEAN. */
    private static Graph int8Network() {
        GraphBuilder g = new GraphBuilder();
        QuantParams act = QuantParams.perTensor(0.04f, -3);
        int in = g.input("x", DataType.INT8, new int[] {1, 6, 6, 4}, QuantParams.perTensor(0.05f, -10));
        byte[] dw = random(36, 3);
        for (int i = 0; i < dw.length; i++) {
            dw[i] = (byte) Math.max(-127, dw[i]);
        }
        int w = g.constantBytes("dw_w", DataType.INT8, new int[] {1, 3, 3, 4},
                QuantParams.perChannel(new float[] {0.01f, 0.02f, 0.015f, 0.03f}, new int[4], 3), dw);
        int b = g.constantInt32("dw_b", new int[] {4},
                QuantParams.perChannel(new float[] {0.0005f, 0.001f, 0.00075f, 0.0015f}, new int[4], 0),
                new int[] {100, -50, 0, 7});
        int d = g.tensor("dw", DataType.INT8, new int[] {1, 6, 6, 4}, act);
        g.op(BuiltinOperator.DEPTHWISE_CONV_2D, new int[] {in, w, b}, new int[] {d},
                new OpOptions.DepthwiseConv2D(Padding.SAME, 1, 1, 1, Activation.RELU, 1, 1));
        int p = g.tensor("avg", DataType.INT8, new int[] {1, 3, 3, 4}, act);
        g.op(BuiltinOperator.AVERAGE_POOL_2D, new int[] {d}, new int[] {p},
                new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE));
        int bias = g.constantBytes("row", DataType.INT8, new int[] {1, 1, 3, 4}, QuantParams.perTensor(0.02f, 5),
                random(12, 4));
        int s = g.tensor("sum", DataType.INT8, new int[] {1, 3, 3, 4}, QuantParams.perTensor(0.06f, 0));
        g.op(BuiltinOperator.ADD, new int[] {p, bias}, new int[] {s}, new OpOptions.Add(Activation.NONE));
        int cat = g.tensor("cat", DataType.INT8, new int[] {1, 3, 3, 8}, QuantParams.perTensor(0.06f, 0));
        g.op(BuiltinOperator.CONCATENATION, new int[] {s, p}, new int[] {cat}, new OpOptions.Concatenation(3, Activation.NONE));
        int axes = g.constantInt32("axes", new int[] {2}, QuantParams.NONE, new int[] {1, 2});
        int mean = g.tensor("mean", DataType.INT8, new int[] {1, 1, 1, 8}, QuantParams.perTensor(0.05f, 1));
        g.op(BuiltinOperator.MEAN, new int[] {cat, axes}, new int[] {mean}, new OpOptions.Reducer(true));
        g.output(mean);
        return g.build();
    }

    /** Float in and out of an int8 body: QUANTIZE, FULLY_CONNECTED with bias, LOGISTIC, DEQUANTIZE. */
    private static Graph floatEdges() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("x", DataType.FLOAT32, new int[] {1, 16}, QuantParams.NONE);
        QuantParams qIn = QuantParams.perTensor(0.02f, 0);
        int q = g.tensor("xq", DataType.INT8, new int[] {1, 16}, qIn);
        g.op(BuiltinOperator.QUANTIZE, new int[] {in}, new int[] {q}, new OpOptions.Quantize());
        byte[] wv = random(128, 5);
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (byte) Math.max(-127, wv[i]);
        }
        int w = g.constantBytes("w", DataType.INT8, new int[] {8, 16}, QuantParams.perTensor(0.01f, 0), wv);
        int b = g.constantInt32("b", new int[] {8}, QuantParams.perTensor(0.0002f, 0), new int[] {1, 2, 3, 4, -1, -2, -3, -4});
        int y = g.tensor("y", DataType.INT8, new int[] {1, 8}, QuantParams.perTensor(0.05f, 2));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {q, w, b}, new int[] {y},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        int s = g.tensor("s", DataType.INT8, new int[] {1, 8}, QuantParams.perTensor(1f / 256, -128));
        g.op(BuiltinOperator.LOGISTIC, new int[] {y}, new int[] {s}, OpOptions.None.INSTANCE);
        int out = g.tensor("out", DataType.FLOAT32, new int[] {1, 8}, QuantParams.NONE);
        g.op(BuiltinOperator.DEQUANTIZE, new int[] {s}, new int[] {out}, new OpOptions.Dequantize());
        g.output(out);
        return g.build();
    }
}
