package io.qbridge.tools;

import io.qbridge.tflite.ModelReader;
import io.qbridge.trainer.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome train(String... args) {
        CommandLine cli = QbridgeCli.newCommandLine(new TrainCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void trainsThenReusesTheFolder(@TempDir Path dir) throws Exception {
        String[] args = {"--out", dir.toString(), "--epochs", "1", "--train-samples", "300", "--calibration-samples",
                "10", "--test-samples", "20"};
        Outcome first = train(args);
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("epoch 1/1"), first.out());
        assertTrue(first.out().contains("on 20 held-out images"), first.out());
        Path model = dir.resolve(DefaultModel.MODEL_FILE);
        assertArrayEquals(new int[] {1, 28, 28, 1}, ModelReader.read(model).input(0).shape());
        Outcome second = train(args);
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("reusing"), second.out());
        assertTrue(Files.readAllLines(dir.resolve("test/labels.csv")).get(0).equals("file,label"));
    }

    @Test
    void isASubcommandOfQbridge() {
        java.io.StringWriter out = new java.io.StringWriter();
        int code = QbridgeCli.execute(new String[] {"train", "--help"}, new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertEquals(0, code);
        assertTrue(out.toString().contains("--quant-delay"), out.toString());
    }

    @Test
    void badArgumentsAreOneLineErrors(@TempDir Path dir) throws Exception {
        Outcome noOut = train("--epochs", "1");
        assertEquals(QbridgeCli.EXIT_USAGE, noOut.exitCode());
        assertTrue(noOut.err().contains("--out"), noOut.err());
        Outcome zero = train("--out", dir.toString(), "--epochs", "0");
        assertEquals(QbridgeCli.EXIT_FAILURE, zero.exitCode());
        assertTrue(zero.err().contains("--epochs must be at least 1"), zero.err());
        Path file = Files.writeString(dir.resolve("f"), "x");
        Outcome notDir = train("--out", file.toString());
        assertEquals(QbridgeCli.EXIT_FAILURE, notDir.exitCode());
        assertTrue(notDir.err().contains("is a file"), notDir.err());
    }
}
