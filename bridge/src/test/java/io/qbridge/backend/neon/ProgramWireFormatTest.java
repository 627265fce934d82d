package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The program's wire format, defined once in {@code native/src/program.def} (packaged with these
 * tests): random plans of every op record, and the small shared models, are written by
 * {@link PlanEncoder} with a trace of every field, and decoded by the C++ readers through
 * {@code qb_describe} into the same text. The two must agree field by field (name, order, value),
 * Java's records must follow program.def's field lists, and every record of the table must be seen.
 */
class ProgramWireFormatTest {
    private static final Map<String, Spec> TABLE = readTable();
    private static final Set<String> SEEN = new TreeSet<>();

    /** One QB_RECORD line: opcode, and its fields as a pattern over field names. */
    record Spec(int opcode, Pattern fields) {
    }

    static boolean neonAvailable() {
        return new NeonBackend().unavailableReason() == null;
    }

    @Test
    void javaRecordsAreTheTablesRecords() {
        Map<String, Integer> java = new LinkedHashMap<>();
        for (PlanEncoder.Record r : PlanEncoder.Record.values()) {
            java.put(r.name(), r.opcode);
        }
        Map<String, Integer> table = new LinkedHashMap<>();
        TABLE.forEach((name, spec) -> table.put(name, spec.opcode()));
        assertEquals(table, java, "PlanEncoder.Record and program.def");
    }

    static Stream<Object[]> randomPlans() {
        List<Object[]> cases = new ArrayList<>();
        for (Map.Entry<String, Function<Random, Graph>> e : GRAPHS.entrySet()) {
            for (int seed = 1; seed <= 12; seed++) {
                cases.add(new Object[] {e.getKey(), seed});
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("randomPlans")
    void cReadsWhatJavaWrites(String op, int seed) {
        Assumptions.assumeTrue(neonAvailable(), () -> "neon unavailable: " + new NeonBackend().unavailableReason());
        check(Planner.plan(GRAPHS.get(op).apply(new Random(seed * 7919L + op.hashCode()))), op + " seed " + seed);
    }

    static Stream<Path> smallSharedModels() throws IOException {
        Path root = SharedData.root();
        if (root == null) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.walk(root.resolve("models"))) {
            return s.filter(p -> p.toString().endsWith(".tflite") && !p.toString().contains("invalid"))
                    .filter(p -> p.toFile().length() < 1_500_000).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallSharedModels")
    void cReadsWhatJavaWritesForSharedModels(Path model) throws IOException {
        Assumptions.assumeTrue(neonAvailable(), "neon unavailable");
        Plan plan;
        try {
            plan = Planner.plan(ModelReader.read(ByteBuffer.wrap(Files.readAllBytes(model))
                    .order(ByteOrder.LITTLE_ENDIAN)));
            PlanEncoder.encode(plan);
        } catch (RuntimeException e) {   // not planned, or not for neon: nothing to compare
            Assumptions.abort(model.getFileName() + ": " + e.getMessage());
            return;
        }
        check(plan, model.getFileName().toString());
    }

    @AfterAll
    static void everyRecordIsSeen() {
        if (neonAvailable()) {
            assertEquals(TABLE.keySet(), SEEN, "records of program.def that no test wrote");
        }
    }

    private static void check(Plan plan, String what) {
        PlanEncoder.Encoded encoded = PlanEncoder.encode(plan, true);
        String c = describe(encoded.program(), plan.arenaBytes());
        List<String> javaLines = encoded.trace().lines().toList();
        List<String> cLines = c.lines().toList();
        String record = "(header)";
        int recordIndex = -1;
        for (int i = 0; i < Math.max(javaLines.size(), cLines.size()); i++) {
            String j = i < javaLines.size() ? javaLines.get(i) : "(nothing)";
            String n = i < cLines.size() ? cLines.get(i) : "(nothing)";
            if (!j.contains("=")) {
                record = j;
                recordIndex++;
            }
            if (!j.equals(n)) {
                fail(what + ": op " + recordIndex + " " + record + ": Java wrote " + cut(j) + ", C++ read " + cut(n));
            }
        }
        checkAgainstTable(javaLines, what);
    }

    /** Each record's field names, in order, must match its program.def line. */
    private static void checkAgainstTable(List<String> lines, String what) {
        String record = null;
        StringBuilder names = new StringBuilder();
        List<String> all = new ArrayList<>(lines);
        all.add("(end)");
        for (String line : all) {
            if (!line.contains("=")) {
                if (record != null) {
                    Spec spec = TABLE.get(record);
                    assertTrue(spec != null, what + ": record " + record + " is not in program.def");
                    assertTrue(spec.fields().matcher(names).matches(),
                            what + ": " + record + " fields [" + names + "] do not follow program.def");
                    SEEN.add(record);
                }
                record = line;
                names.setLength(0);
            } else {
                names.append(line, 0, line.indexOf('=')).append(' ');
            }
        }
    }

    private static String describe(ByteBuffer program, long arenaBytes) {
        ByteBuffer arena = ByteBuffer.allocateDirect((int) arenaBytes + 192).alignedSlice(Plan.ALIGNMENT);
        byte[] out = new byte[1 << 16];
        long n = NeonNative.qb_describe(program, program.capacity(), arena, arenaBytes, out, out.length);
        if (n >= out.length) {
            out = new byte[(int) n + 1];
            n = NeonNative.qb_describe(program, program.capacity(), arena, arenaBytes, out, out.length);
        }
        if (n < 0) {
            int len = 0;
            while (out[len] != 0) {
                len++;
            }
            fail("qb_describe: " + new String(out, 0, len, StandardCharsets.UTF_8));
        }
        return new String(out, 0, (int) n, StandardCharsets.UTF_8);
    }

    private static String cut(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    // ------------------------------------------------------------------------------ program.def

    private static Map<String, Spec> readTable() {
        String text;
        try (InputStream in = ProgramWireFormatTest.class.getResourceAsStream("program.def")) {
            if (in == null) {
                throw new IllegalStateException("program.def is not on the test class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Spec> table = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^QB_RECORD\\((\\d+), (\\w+), \"([^\"]*)\"\\)$").matcher(text);
        while (m.find()) {
            table.put(m.group(2), new Spec(Integer.parseInt(m.group(1)), fieldPattern(m.group(3))));
        }
        return table;
    }

    /** "a b[n] c:bytes { d [ e[256] ] }*" to a pattern over "a b c d e d " (names, each followed by a space). */
    static Pattern fieldPattern(String fields) {
        StringBuilder re = new StringBuilder();
        for (String token : fields.trim().split("\\s+")) {
            switch (token) {
                case "{", "[" -> re.append("(?:");
                case "}*" -> re.append(")*");
                case "]" -> re.append(")?");
                default -> re.append(Pattern.quote(token.replaceAll("[\\[:].*$", "") + " "));
            }
        }
        return Pattern.compile(re.toString());
    }

    // ------------------------------------------------------------------------------ random plans

    private static final Map<String, Function<Random, Graph>> GRAPHS = new LinkedHashMap<>();

    static {
        GRAPHS.put("CONV_2D", r -> conv(r, 0));
        GRAPHS.put("DEPTHWISE_CONV_2D", r -> conv(r, 1));
        GRAPHS.put("FULLY_CONNECTED", r -> conv(r, 2));
        GRAPHS.put("AVERAGE_POOL_2D", r -> pool(r, BuiltinOperator.AVERAGE_POOL_2D));
        GRAPHS.put("MAX_POOL_2D", r -> pool(r, BuiltinOperator.MAX_POOL_2D));
        GRAPHS.put("RESHAPE", ProgramWireFormatTest::reshape);
        GRAPHS.put("SOFTMAX", ProgramWireFormatTest::softmax);
        GRAPHS.put("ADD", r -> binary(r, BuiltinOperator.ADD));
        GRAPHS.put("MUL", r -> binary(r, BuiltinOperator.MUL));
        GRAPHS.put("MEAN", ProgramWireFormatTest::mean);
        GRAPHS.put("LOOKUP", ProgramWireFormatTest::lookup);
        GRAPHS.put("PAD", ProgramWireFormatTest::pad);
        GRAPHS.put("CONCATENATION", ProgramWireFormatTest::concatenation);
        GRAPHS.put("QUANTIZE", r -> quantize(r, false));
        GRAPHS.put("DEQUANTIZE", r -> quantize(r, true));
    }

    private static DataType type(Random r) {
        return r.nextBoolean() ? DataType.UINT8 : DataType.INT8;
    }

    private static QuantParams q(Random r, DataType t) {
        return QuantParams.perTensor(0.01f + r.nextFloat() * 0.2f, t.minValue() + r.nextInt(t.maxValue() - t.minValue() + 1));
    }

    private static Activation activation(Random r) {
        return new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6}[r.nextInt(3)];
    }

    private static int out(Padding p, int in, int f, int s, int d) {
        int eff = (f - 1) * d + 1;
        return p == Padding.SAME ? (in + s - 1) / s : (in - eff + s) / s;
    }

    private static int[] values(Random r, DataType t, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = t == DataType.UINT8 ? r.nextInt(256) : -127 + r.nextInt(255);
        }
        return v;
    }

    /** kind 0 CONV_2D, 1 DEPTHWISE_CONV_2D, 2 FULLY_CONNECTED; uint8 per tensor, int8 per channel. */
    private static Graph conv(Random r, int kind) {
        DataType t = type(r);
        int batches = 1 + r.nextInt(2);
        int inC = 1 + r.nextInt(9);
        int f = 1 + r.nextInt(3);
        int stride = 1 + r.nextInt(2);
        int dilation = kind == 2 || r.nextInt(3) != 0 ? 1 : 2;
        Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        int inH = (f - 1) * dilation + 1 + r.nextInt(5);
        int inW = (f - 1) * dilation + 1 + r.nextInt(5);
        int dm = kind == 1 ? 1 + r.nextInt(2) : 1;
        int outC = kind == 1 ? inC * dm : 1 + r.nextInt(9);
        QuantParams inQ = q(r, t);
        QuantParams outQ = q(r, t);
        int[] filterShape = kind == 0 ? new int[] {outC, f, f, inC} : kind == 1 ? new int[] {1, f, f, outC}
                : new int[] {outC, inC};
        int size = 1;
        for (int d : filterShape) {
            size *= d;
        }
        float[] scales = new float[outC];
        for (int c = 0; c < outC; c++) {
            scales[c] = 0.001f + r.nextFloat() * 0.05f;
        }
        QuantParams wQ = t == DataType.UINT8 ? QuantParams.perTensor(scales[0], r.nextInt(256))
                : QuantParams.perChannel(scales, new int[outC], kind == 1 ? 3 : 0);
        float[] biasScales = new float[outC];
        int[] bias = new int[outC];
        for (int c = 0; c < outC; c++) {
            biasScales[c] = inQ.scale() * (wQ.isPerChannel() ? wQ.scale(c) : wQ.scale());
            bias[c] = r.nextInt(20001) - 10000;
        }
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", t, kind == 2 ? new int[] {batches, inC} : new int[] {batches, inH, inW, inC}, inQ);
        int w = g.constantQuantized("filter", t, filterShape, wQ, values(r, t, size));
        int b = g.constantInt32("bias", new int[] {outC}, wQ.isPerChannel()
                ? QuantParams.perChannel(biasScales, new int[outC], 0) : QuantParams.perTensor(biasScales[0], 0), bias);
        int[] outShape = kind == 2 ? new int[] {batches, outC}
                : new int[] {batches, out(padding, inH, f, stride, dilation), out(padding, inW, f, stride, dilation), outC};
        int o = g.tensor("out", t, outShape, outQ);
        Activation act = activation(r);
        int code = kind == 0 ? BuiltinOperator.CONV_2D : kind == 1 ? BuiltinOperator.DEPTHWISE_CONV_2D
                : BuiltinOperator.FULLY_CONNECTED;
        OpOptions options = kind == 0 ? new OpOptions.Conv2D(padding, stride, stride, act, dilation, dilation)
                : kind == 1 ? new OpOptions.DepthwiseConv2D(padding, stride, stride, dm, act, dilation, dilation)
                : new OpOptions.FullyConnected(act, 0, false, false);
        g.op(code, new int[] {in, w, b}, new int[] {o}, options);
        g.output(o);
        return g.build();
    }

    private static Graph pool(Random r, int code) {
        DataType t = type(r);
        QuantParams q = q(r, t);
        int f = 1 + r.nextInt(3);
        int s = 1 + r.nextInt(2);
        Padding p = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        int h = f + r.nextInt(5);
        int w = f + r.nextInt(5);
        int c = 1 + r.nextInt(9);
        return OpGraphs.unary(code, new OpOptions.Pool2D(p, s, s, f, f, activation(r)), t, new int[] {1, h, w, c}, q,
                new int[] {1, out(p, h, f, s, 1), out(p, w, f, s, 1), c}, q);
    }

    private static Graph reshape(Random r) {
        DataType t = type(r);
        QuantParams q = q(r, t);
        int a = 1 + r.nextInt(6);
        int b = 1 + r.nextInt(6);
        return OpGraphs.unary(BuiltinOperator.RESHAPE, new OpOptions.Reshape(new int[] {a * b}), t,
                new int[] {1, a, b}, q, new int[] {a * b}, q);
    }

    private static Graph softmax(Random r) {
        DataType t = type(r);
        int[] shape = {1 + r.nextInt(3), 1 + r.nextInt(20)};
        return OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(0.5f + r.nextFloat()), t, shape, q(r, t),
                shape, QuantParams.perTensor(1f / 256, t == DataType.INT8 ? -128 : 0));
    }

    /** ADD or MUL with broadcasting; the second input is sometimes a constant. */
    private static Graph binary(Random r, int code) {
        DataType t = type(r);
        int[] outShape = {1 + r.nextInt(3), 1 + r.nextInt(4), 1 + r.nextInt(5)};
        int[] shape2 = outShape.clone();
        if (r.nextBoolean()) {
            shape2[r.nextInt(3)] = 1;
        }
        int n2 = shape2[0] * shape2[1] * shape2[2];
        GraphBuilder g = new GraphBuilder();
        int a = g.input("a", t, outShape, q(r, t));
        int b = r.nextBoolean() ? g.input("b", t, shape2, q(r, t))
                : g.constantQuantized("b", t, shape2, q(r, t), values(r, t, n2));
        int o = g.tensor("out", t, outShape, q(r, t));
        Activation act = activation(r);
        g.op(code, new int[] {a, b}, new int[] {o}, code == BuiltinOperator.ADD ? new OpOptions.Add(act)
                : new OpOptions.Mul(act));
        g.output(o);
        return g.build();
    }

    private static Graph mean(Random r) {
        DataType t = type(r);
        int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(5)};
        boolean keep = r.nextBoolean();
        return OpGraphs.mean(t, shape, q(r, t), new int[] {1, 2}, keep,
                keep ? new int[] {shape[0], 1, 1, shape[3]} : new int[] {shape[0], shape[3]}, q(r, t));
    }

    /** RELU, LOGISTIC or a uint8/int8 QUANTIZE: all written as one LOOKUP record. */
    private static Graph lookup(Random r) {
        int[] shape = {1, 1 + r.nextInt(30)};
        switch (r.nextInt(3)) {
            case 0 -> {
                DataType t = type(r);
                QuantParams q = q(r, t);
                return OpGraphs.unary(BuiltinOperator.RELU, OpOptions.None.INSTANCE, t, shape, q, shape, q);
            }
            case 1 -> {
                return OpGraphs.unary(BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, DataType.INT8, shape,
                        q(r, DataType.INT8), shape, QuantParams.perTensor(1f / 256, -128));
            }
            default -> {
                GraphBuilder g = new GraphBuilder();
                int in = g.input("in", DataType.UINT8, shape, q(r, DataType.UINT8));
                int o = g.tensor("out", DataType.INT8, shape, q(r, DataType.INT8));
                g.op(BuiltinOperator.QUANTIZE, new int[] {in}, new int[] {o}, new OpOptions.Quantize());
                g.output(o);
                return g.build();
            }
        }
    }

    private static Graph pad(Random r) {
        DataType t = type(r);
        QuantParams q = q(r, t);
        int[] in = {1, 1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(3)};
        int[] pads = new int[8];
        int[] out = new int[4];
        for (int d = 0; d < 4; d++) {
            if (d > 0 && r.nextBoolean()) {
                pads[2 * d] = r.nextInt(3);
                pads[2 * d + 1] = r.nextInt(3);
            }
            out[d] = in[d] + pads[2 * d] + pads[2 * d + 1];
        }
        GraphBuilder g = new GraphBuilder();
        int x = g.input("in", t, in, q);
        int p = g.constantInt32("paddings", new int[] {4, 2}, QuantParams.NONE, pads);
        int o = g.tensor("out", t, out, q);
        g.op(BuiltinOperator.PAD, new int[] {x, p}, new int[] {o}, new OpOptions.Pad());
        g.output(o);
        return g.build();
    }

    /** Inputs along the last axis; uint8 ones sometimes with their own quantization (a requantization table). */
    private static Graph concatenation(Random r) {
        DataType t = type(r);
        QuantParams outQ = q(r, t);
        int rows = 1 + r.nextInt(4);
        int n = 2 + r.nextInt(2);
        GraphBuilder g = new GraphBuilder();
        int[] inputs = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            int c = 1 + r.nextInt(5);
            total += c;
            inputs[i] = g.input("in" + i, t, new int[] {rows, c}, t == DataType.INT8 || r.nextBoolean() ? outQ : q(r, t));
        }
        int o = g.tensor("out", t, new int[] {rows, total}, outQ);
        g.op(BuiltinOperator.CONCATENATION, inputs, new int[] {o}, new OpOptions.Concatenation(1, Activation.NONE));
        g.output(o);
        return g.build();
    }

    /** QUANTIZE float32 to 8 bits, or DEQUANTIZE back. */
    private static Graph quantize(Random r, boolean dequantize) {
        DataType t = type(r);
        int[] shape = {1, 1 + r.nextInt(20)};
        QuantParams q = q(r, t);
        GraphBuilder g = new GraphBuilder();
        int in = dequantize ? g.input("in", t, shape, q) : g.input("in", DataType.FLOAT32, shape, QuantParams.NONE);
        int o = dequantize ? g.tensor("out", DataType.FLOAT32, shape, QuantParams.NONE) : g.tensor("out", t, shape, q);
        g.op(dequantize ? BuiltinOperator.DEQUANTIZE : BuiltinOperator.QUANTIZE, new int[] {in}, new int[] {o},
                dequantize ? new OpOptions.Dequantize() : new OpOptions.Quantize());
        g.output(o);
        return g.build();
    }
}
