package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FAKE_QUANT on float32 (the op quantization-aware trained models carry), on the Java backend. */
class FakeQuantTest {

    private static Graph fakeQuant(DataType type, int[] shape, OpOptions.FakeQuant options) {
        GraphBuilder g = new GraphBuilder();
        QuantParams q = type == DataType.FLOAT32 ? QuantParams.NONE : QuantParams.perTensor(0.1f, 0);
        int in = g.input("input", type, shape, q);
        int out = g.tensor("output", type, shape, q);
        g.op(BuiltinOperator.FAKE_QUANT, new int[] {in}, new int[] {out}, options);
        g.output(out);
        return g.build();
    }

    private static float[] run(float min, float max, int bits, float[] input) {
        return ModelRunner.runFloats(fakeQuant(DataType.FLOAT32, new int[] {3, 1, 2},
                new OpOptions.FakeQuant(min, max, bits, false)), Interpreter.Backend.JAVA, 1, input);
    }

    /** tensorflow/lite/kernels/fake_quant_test.cc, FakeQuantOpTest.FloatPositiveRange8Test (ArrayFloatNear: 1e-5). */
    @Test
    void floatPositiveRange8() {
        assertArrayEquals(new float[] {0, 1, 0.25098f, 0.498039f, 0.443137f, 0},
                run(0f, 1f, 8, new float[] {0f, 1f, 0.25f, 0.5f, 0.4444444f, 0.00001f}), 1e-5f);
    }

    /** fake_quant_test.cc, FakeQuantOpTest.FloatNegativeRange8Test. */
    @Test
    void floatNegativeRange8() {
        assertArrayEquals(new float[] {0, -0.896471f, 0.247059f, 0.501176f, 0.444706f, 0},
                run(-0.9f, 0.9f, 8, new float[] {0f, -0.9f, 0.25f, 0.5f, 0.4444444f, -0.00001f}), 1e-5f);
    }

    /** fake_quant_test.cc, FakeQuantOpTest.FloatPositiveRange16Test. */
    @Test
    void floatPositiveRange16() {
        assertArrayEquals(new float[] {0, 1, 0.250004f, 0.500008f, 0.44445f, 1.5259e-05f},
                run(0f, 1f, 16, new float[] {0f, 1f, 0.25f, 0.5f, 0.4444444f, 0.00001f}), 1e-5f);
    }

    /** fake_quant_test.cc, FakeQuantOpTest.FloatNegativeRange16Test. */
    @Test
    void floatNegativeRange16() {
        assertArrayEquals(new float[] {0, -0.900014f, 0.249998f, 0.499995f, 0.444431f, 0},
                run(-0.9f, 0.9f, 16, new float[] {0f, -0.9f, 0.25f, 0.5f, 0.4444444f, -0.00001f}), 1e-5f);
    }

    /** Every output is one of the 256 levels of the nudged range, 0 stays 0, and threads change nothing. */
    @Test
    void outputsAreLevelsOfTheNudgedRangeForAnyThreadCount() {
        Random r = new Random(12);
        int n = 40_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        x[0] = 0f;
        float min = -2.3f, max = 5.1f;
        Graph g = fakeQuant(DataType.FLOAT32, new int[] {1, n}, new OpOptions.FakeQuant(min, max, 8, false));
        float[] one = ModelRunner.runFloats(g, Interpreter.Backend.JAVA, 1, x);
        float[] four = ModelRunner.runFloats(g, Interpreter.Backend.JAVA, 4, x);
        assertArrayEquals(one, four);
        assertEquals(0f, one[0]);
        float scale = (max - min) / 255f;
        float zero = Math.round(-min / scale);
        float nudgedMin = -zero * scale;
        for (int i = 0; i < n; i++) {
            float level = (one[i] - nudgedMin) / scale;
            assertEquals(Math.round(level), level, 1e-3f, "value " + x[i]);
            assertTrue(level > -1e-3f && level < 255.001f, "value " + x[i] + " gave level " + level);
            if (x[i] > nudgedMin && x[i] < nudgedMin + 255 * scale) {
                assertEquals(x[i], one[i], scale / 2 + 1e-6f);
            }
        }
    }

    @Test
    void refusesWhatTfliteRefuses() {
        UnsupportedModelException narrow = assertThrows(UnsupportedModelException.class, () -> ModelRunner.open(
                fakeQuant(DataType.FLOAT32, new int[] {4}, new OpOptions.FakeQuant(-1f, 1f, 8, true)),
                Interpreter.Backend.JAVA, 1));
        assertTrue(narrow.getMessage().contains("FAKE_QUANT"), narrow.getMessage());
        assertThrows(UnsupportedModelException.class, () -> ModelRunner.open(
                fakeQuant(DataType.INT8, new int[] {4}, new OpOptions.FakeQuant(-1f, 1f, 8, false)),
                Interpreter.Backend.JAVA, 1));
        for (OpOptions.FakeQuant bad : new OpOptions.FakeQuant[] {new OpOptions.FakeQuant(0.5f, 1f, 8, false),
                new OpOptions.FakeQuant(-1f, -0.5f, 8, false), new OpOptions.FakeQuant(0f, 0f, 8, false),
                new OpOptions.FakeQuant(-1f, 1f, 1, false), new OpOptions.FakeQuant(-1f, 1f, 17, false),
                new OpOptions.FakeQuant(Float.NaN, 1f, 8, false)}) {
            InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelRunner.open(
                    fakeQuant(DataType.FLOAT32, new int[] {4}, bad), Interpreter.Backend.JAVA, 1), bad.toString());
            assertTrue(e.getMessage().contains("FAKE_QUANT"), e.getMessage());
        }
    }
}
