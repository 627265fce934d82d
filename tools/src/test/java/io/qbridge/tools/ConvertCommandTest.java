package io.qbridge.tools;

import io.qbridge.DataType;
import io.qbridge.graph.Graph;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertCommandTest {

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = QbridgeCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    static Run convert(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "convert";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(all);
    }

    /** Raw float32 calibration tensors: x in [0, 2 pi] for hello_world. */
    static Path helloWorldCalibration(Path dir) throws Exception {
        Path cal = Files.createDirectories(dir.resolve("cal"));
        for (int i = 0; i < 50; i++) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) (2 * Math.PI * i / 49));
            Files.write(cal.resolve(String.format("x%03d.raw", i)), b.array());
        }
        return cal;
    }

    @Test
    void convertsWithCalibrationTensorsAndPrintsTheSummary(@TempDir Path dir) throws Exception {
        Path model = SharedData.model("hello_world_float");
        Path out = dir.resolve("hello_int8.tflite");
        Path json = dir.resolve("summary.json");
        Run r = convert("--model", model.toString(), "--output", out.toString(), "--inference-type", "int8",
                "--calibration", helloWorldCalibration(dir).toString(), "--json", json.toString());
        assertEquals(0, r.status, r.err);
        Graph q = ModelReader.read(out);
        assertEquals(DataType.INT8, q.input(0).type());
        assertTrue(r.out.contains("3 of 3 operators quantized"), r.out);
        assertTrue(r.out.contains("per-layer error"), r.out);
        assertTrue(r.out.contains("calibration: 50 samples"), r.out);
        assertTrue(Files.readString(json).contains("\"layers\":["));
    }

    /** Output paths are checked before the calibration, and only regular files are ever written or replaced. */
    @Test
    void badOutputPathsFailBeforeCalibratingAndNothingIsReplaced(@TempDir Path dir) throws Exception {
        String model = SharedData.model("hello_world_float").toString();
        String cal = helloWorldCalibration(dir).toString();

        Run missingFolder = convert("-m", model, "-o", dir.resolve("no/such/folder/q.tflite").toString(),
                "--calibration", cal);
        assertEquals(QbridgeCli.EXIT_FAILURE, missingFolder.status, missingFolder.err);
        assertTrue(missingFolder.err.contains("cannot write --output") && missingFolder.err.contains("does not exist"),
                missingFolder.err);
        assertFalse(missingFolder.err.contains(".partial"), missingFolder.err);
        assertFalse(missingFolder.out.contains("calibration:"), "calibrated first: " + missingFolder.out);

        Path folder = Files.createDirectories(dir.resolve("a-folder.tflite"));
        Run intoFolder = convert("-m", model, "-o", folder.toString(), "--calibration", cal);
        assertEquals(QbridgeCli.EXIT_FAILURE, intoFolder.status, intoFolder.err);
        assertTrue(intoFolder.err.contains("not a regular file"), intoFolder.err);
        assertTrue(Files.isDirectory(folder));

        Path fifo = dir.resolve("pipe.tflite");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (mkfifo.waitFor() == 0) {
            Run intoPipe = convert("-m", model, "-o", fifo.toString(), "--calibration", cal);
            assertEquals(QbridgeCli.EXIT_FAILURE, intoPipe.status, intoPipe.err);
            assertTrue(intoPipe.err.contains("not a regular file"), intoPipe.err);
            assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the pipe was replaced");
        }

        Path out = dir.resolve("q.tflite");
        Run badJson = convert("-m", model, "-o", out.toString(), "--calibration", cal, "--json",
                dir.resolve("missing/summary.json").toString());
        assertEquals(QbridgeCli.EXIT_FAILURE, badJson.status, badJson.err);
        assertTrue(badJson.err.contains("cannot write --json"), badJson.err);
        assertFalse(Files.exists(out), "the model was written although --json cannot be");

        Run threads = convert("-m", model, "-o", out.toString(), "--calibration", cal, "--threads", "100000");
        assertEquals(QbridgeCli.EXIT_USAGE, threads.status, threads.err);
        assertTrue(threads.err.contains("--threads must be between 1 and 256"), threads.err);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".partial")).toList());
        }
    }

    @Test
    void floatInputTypeAddsAQuantizeOp(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("hello.tflite");
        Run r = convert("-m", SharedData.model("hello_world_float").toString(), "-o", out.toString(),
                "--inference-type", "uint8", "--input-type", "float", "--output-type", "float",
                "--calibration", helloWorldCalibration(dir).toString());
        assertEquals(0, r.status, r.err);
        Graph q = ModelReader.read(out);
        assertEquals(DataType.FLOAT32, q.input(0).type());
        assertEquals("QUANTIZE", q.operators().get(0).opName());
    }

    @Test
    void unsupportedOpsAreListedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path model = SharedData.require("models/single-op-float/single_gelu.tflite");
        Path out = dir.resolve("gelu.tflite");
        Run r = convert("-m", model.toString(), "-o", out.toString(), "--default-range", "-3,3");
        assertEquals(1, r.status);
        assertTrue(r.err.contains("GELU"), r.err);
        assertEquals(1, r.err.lines().filter(l -> l.contains("GELU")).count(), "one message: " + r.err);
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no partial file");
        }
    }

    @Test
    void badOptionsAreUsageErrors(@TempDir Path dir) throws Exception {
        Path model = SharedData.model("hello_world_float");
        assertEquals(2, convert("-m", model.toString(), "-o", dir.resolve("x").toString(), "--inference-type", "int4").status);
        assertEquals(2, convert("-m", model.toString(), "-o", dir.resolve("x").toString(), "--default-range", "3,1").status);
        assertEquals(2, convert("-m", model.toString(), "-o", dir.resolve("x").toString(), "--mean", "1").status);
        assertEquals(2, convert("-m", model.toString(), "-o", dir.resolve("x").toString(), "--equalize-percentile",
                "40").status);
    }

    @Test
    void withoutCalibrationOrRangesTheTensorsAreNamed(@TempDir Path dir) throws Exception {
        Run r = convert("-m", SharedData.model("hello_world_float").toString(), "-o", dir.resolve("x").toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("no range for") && r.err.contains("serving_default_dense_input"), r.err);
    }
}
