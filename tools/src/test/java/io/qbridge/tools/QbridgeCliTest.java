package io.qbridge.tools;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end on a model built here: outputs, exit codes, one-line errors. */
class QbridgeCliTest {
    @TempDir
    static Path dir;
    static Path colourModel;

    /** Result of one command line. */
    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QbridgeCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    /**
     * A float model whose output c sums colour channel c over a 4x4 RGB image: a red image scores
     * class 0 highest, a blue one class 2.
     */
    @BeforeAll
    static void writeModel() throws Exception {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("image", DataType.FLOAT32, new int[] {1, 4, 4, 3}, QuantParams.NONE);
        float[] filter = new float[3 * 4 * 4 * 3];
        for (int o = 0; o < 3; o++) {
            for (int p = 0; p < 16; p++) {
                filter[(o * 16 + p) * 3 + o] = 1f / 16;
            }
        }
        int f = g.constantFloat32("filter", new int[] {3, 4, 4, 3}, filter);
        int out = g.tensor("scores", DataType.FLOAT32, new int[] {1, 1, 1, 3}, QuantParams.NONE);
        g.op(BuiltinOperator.CONV_2D, new int[] {in, f, -1}, new int[] {out},
                new OpOptions.Conv2D(Padding.VALID, 1, 1, Activation.NONE, 1, 1));
        g.output(out);
        colourModel = dir.resolve("colour.tflite");
        Files.write(colourModel, ModelWriter.toBytes(g.build()));
    }

    @Test
    void inspectListsOpsTensorsMacsAndArena() {
        Outcome o = cli("inspect", "--model", colourModel.toString());
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("CONV_2D"), o.out());
        assertTrue(o.out().contains("image FLOAT32 [1, 4, 4, 3]"), o.out());
        assertTrue(o.out().contains("MACs     144 per inference"), o.out());
        assertTrue(o.out().contains("arena"), o.out());
    }

    /** A model qbridge cannot run is still inspected, with every operator it lacks listed (exit 0: inspecting worked). */
    @Test
    void inspectPrintsWhatItCanOfAModelQbridgeCannotRun() {
        Path vela = io.qbridge.testing.SharedData.require("models/zoo/person_detect_vela.tflite");
        Outcome o = cli("inspect", "--model", vela.toString());
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("operators (1)") && o.out().contains("weights"), o.out());
        assertTrue(o.out().contains("not runnable: qbridge lacks\n  CUSTOM(ethos-u) (operator 0)"), o.out());

        Path dilated = io.qbridge.testing.SharedData.require("models/zoo/dilated_conv.tflite");
        Outcome d = cli("inspect", "--model", dilated.toString());
        assertEquals(0, d.exitCode(), d.err());
        for (String op : new String[] {"SPACE_TO_BATCH_ND (operator", "BATCH_TO_SPACE_ND (operator", "SHAPE (operator"}) {
            assertTrue(d.out().contains("not runnable") && d.out().contains(op), d.out());
        }
    }

    @Test
    void runWritesTheFirstOutputsBytes() throws Exception {
        ByteBuffer input = ByteBuffer.allocate(48 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 48; i++) {
            input.putFloat(i % 3 == 1 ? 2f : 0f);   // green everywhere
        }
        Path in = dir.resolve("in.raw");
        Path out = dir.resolve("out.raw");
        Files.write(in, input.array());
        Outcome o = cli("run", "--model", colourModel.toString(), "--input", in.toString(), "--output", out.toString(),
                "--backend", "java", "--repeat", "3");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.err().contains("3 inferences"), o.err());
        ByteBuffer result = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new float[] {0f, 2f, 0f},
                new float[] {result.getFloat(0), result.getFloat(4), result.getFloat(8)});
    }

    @Test
    void classifyPrintsTopKBestFirstWithLabels() throws Exception {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, new Color(40, 10, 250).getRGB());
            }
        }
        Path png = dir.resolve("blue.png");
        ImageIO.write(img, "png", png.toFile());
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "red\ngreen\nblue\n");
        Outcome o = cli("classify", "--model", colourModel.toString(), "--image", png.toString(), "--labels",
                labels.toString(), "--top", "2", "--mean", "0", "--std", "1");
        assertEquals(0, o.exitCode(), o.err());
        String[] lines = o.out().strip().split("\n");
        assertEquals(2, lines.length, o.out());
        assertEquals("250.00000 2 blue", lines[0]);
        assertEquals("40.00000 0 red", lines[1]);
    }

    @Test
    void errorsAreOneLineWithoutStackTraceAndNonZero() throws Exception {
        Outcome missing = cli("inspect", "--model", dir.resolve("nope.tflite").toString());
        assertEquals(QbridgeCli.EXIT_FAILURE, missing.exitCode());
        assertTrue(missing.err().contains("model file not found"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());

        Path garbage = dir.resolve("garbage.tflite");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Outcome bad = cli("inspect", "--model", garbage.toString());
        assertEquals(QbridgeCli.EXIT_FAILURE, bad.exitCode());
        assertFalse(bad.err().contains("\tat "), bad.err());
        Outcome verbose = cli("inspect", "--verbose", "--model", garbage.toString());
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace");

        Outcome usage = cli("run", "--model", colourModel.toString());
        assertEquals(QbridgeCli.EXIT_USAGE, usage.exitCode());
        assertTrue(usage.err().contains("--input"), usage.err());

        Outcome backend = cli("run", "--model", colourModel.toString(), "--input", colourModel.toString(), "--output",
                dir.resolve("x").toString(), "--backend", "gpu");
        assertEquals(QbridgeCli.EXIT_FAILURE, backend.exitCode());
        assertTrue(backend.err().contains("unknown backend 'gpu'"), backend.err());

        Outcome size = cli("run", "--model", colourModel.toString(), "--input", colourModel.toString(), "--output",
                dir.resolve("x").toString());
        assertEquals(QbridgeCli.EXIT_FAILURE, size.exitCode());
        assertTrue(size.err().contains("takes 192 bytes"), size.err());
    }
}
