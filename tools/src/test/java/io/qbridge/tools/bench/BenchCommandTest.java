package io.qbridge.tools.bench;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.tools.QbridgeCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench.jar on the host, its result protocol with the QEMU re-run, and its errors. */
class BenchCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("x", DataType.FLOAT32, new int[] {1, 8}, QuantParams.NONE);
        int w = g.constantFloat32("w", new int[] {4, 8}, new float[32]);
        int out = g.tensor("y", DataType.FLOAT32, new int[] {1, 4}, QuantParams.NONE);
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, -1}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        g.output(out);
        model = dir.resolve("fc.tflite");
        Files.write(model, ModelWriter.toBytes(g.build()));
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = QbridgeCli.newCommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /** The design card's command with no --model: the default model, made on first use and then reused. */
    @Test
    void withoutAModelMeasuresTheDefaultModelMadeOnceAndReused() throws Exception {
        Path work = dir.resolve("work");
        Path json = dir.resolve("default.json");
        String[] first = run("--work", work.toString(), "--backends", "java", "--runs", "2", "--warmup", "0",
                "--json", json.toString());
        assertEquals("0", first[0], first[2]);
        for (String name : List.of("digits_int8.tflite", "digits_uint8.tflite", "digits_float.tflite")) {
            assertTrue(first[1].contains(name), first[1]);
        }
        assertTrue(Files.readString(json).contains("\"model\": \"digits_int8.tflite\""), Files.readString(json));
        assertTrue(first[2].contains("training the default model") && first[2].contains("converted to int8"), first[2]);
        long made = Files.getLastModifiedTime(work.resolve("digits_int8.tflite")).toMillis();

        String[] second = run("--work", work.toString(), "--backends", "java", "--runs", "2", "--warmup", "0");
        assertEquals("0", second[0], second[2]);
        assertTrue(second[2].contains("reusing the default model"), second[2]);
        assertTrue(!second[2].contains("converted to"), "quantized again: " + second[2]);
        assertEquals(made, Files.getLastModifiedTime(work.resolve("digits_int8.tflite")).toMillis());
    }

    @Test
    void measuresOnTheHostAndWritesJson() throws Exception {
        Path json = dir.resolve("bench.json");
        String[] r = run("--model", model.toString(), "--backends", "java", "--threads", "1,2", "--runs", "5",
                "--json", json.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("fc.tflite"), r[1]);
        String text = Files.readString(json);
        assertTrue(text.contains("\"backend\": \"java\""), text);
        assertTrue(text.contains("\"threads\": 2"), text);
        assertTrue(text.contains("\"macs\": 32"), text);
    }

    @Test
    void resultLinesRoundTrip() {
        BenchResult r = new BenchResult("m.tflite", 1234, "aarch64", "max", false, "neon", 1, "ok", 5000, 1.5, 2.5,
                666.6, 40960, 123456, 789);
        assertEquals(r, ResultCodec.fromLine(ResultCodec.toLine(r)));
    }

    @Test
    void readsThePluginsWindowLines() {
        assertEquals(new IcountMarker.Counts(1000, 40), IcountMarker.parse(ascii("window 0 vcpu 1 insns 1000 sdot 40 smlal 0")));
        assertEquals(new IcountMarker.Counts(2000, -1), IcountMarker.parse(ascii("window 1 vcpu 1 insns 2000")));
        assertThrows(IllegalStateException.class, () -> IcountMarker.parse(ascii("qemu: something else")));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void countsSettleWhenTheLeastRepeats() {
        // a safepoint in the second window, the JIT still improving the code until the fifth
        Iterator<Long> counts = List.of(1000L, 1300L, 990L, 980L, 975L, 975L, 1L).iterator();
        IcountMarker.Counts c = ModelBenchmark.countSettled(2,
                () -> new IcountMarker.Counts(counts.next(), -1), "test");
        assertEquals(975, c.instructions());
        // periodic interference: the least need not repeat in consecutive windows
        Iterator<Long> periodic = List.of(880L, 870L, 877L, 870L, 1L).iterator();
        assertEquals(870, ModelBenchmark.countSettled(2, () -> new IcountMarker.Counts(periodic.next(), -1), "t")
                .instructions());
        // at least minRuns even when the first two agree
        Iterator<Long> same = List.of(500L, 500L, 499L, 499L).iterator();
        assertEquals(499, ModelBenchmark.countSettled(3, () -> new IcountMarker.Counts(same.next(), -1), "t")
                .instructions());
        // never repeating: the least, after minRuns + EXTRA_COUNTED_RUNS windows
        int[] calls = {0};
        IcountMarker.Counts least = ModelBenchmark.countSettled(2,
                () -> new IcountMarker.Counts(5000 - calls[0]++, -1), "t");
        assertEquals(2 + ModelBenchmark.EXTRA_COUNTED_RUNS, calls[0]);
        assertEquals(5000 - calls[0] + 1, least.instructions());
    }

    @Test
    void badArgumentsSayWhatToDo() {
        String[] cpu = run("--model", model.toString(), "--target", "aarch64", "--cpu", "pentium");
        assertEquals("1", cpu[0]);
        assertTrue(cpu[2].contains("use one of cortex-a72, max"), cpu[2]);
        String[] target = run("--model", model.toString(), "--target", "riscv");
        assertEquals("1", target[0]);
        assertTrue(target[2].contains("use host, aarch64 or armv7"), target[2]);
        String[] missing = run("--model", dir.resolve("none.tflite").toString());
        assertTrue(missing[2].contains("model file not found"), missing[2]);
    }
}
