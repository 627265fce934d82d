package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A float model with FAKE_QUANT ops (as quantization-aware training leaves) converts with exactly those ranges. */
class FakeQuantTest {

    /** in -> FAKE_QUANT(-1, 3) -> FC(16, RELU) -> FAKE_QUANT(0, 4) -> FC(1) -> FAKE_QUANT(-3, 1) -> out. */
    static Graph qatModel() {
        Random r = new Random(11);
        GraphBuilder b = new GraphBuilder();
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 4}, QuantParams.NONE);
        int inFq = b.tensor("x/fq", DataType.FLOAT32, new int[] {1, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.FAKE_QUANT, new int[] {in}, new int[] {inFq}, new OpOptions.FakeQuant(-1f, 3f, 8, false));
        int w1 = b.constantFloat32("w1", new int[] {16, 4}, TestModels.random(r, 64, 0.5f));
        int b1 = b.constantFloat32("b1", new int[] {16}, TestModels.random(r, 16, 0.1f));
        int h = b.tensor("h", DataType.FLOAT32, new int[] {1, 16}, QuantParams.NONE);
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {inFq, w1, b1}, new int[] {h},
                new OpOptions.FullyConnected(Activation.RELU, 0, false, false));
        int hFq = b.tensor("h/fq", DataType.FLOAT32, new int[] {1, 16}, QuantParams.NONE);
        b.op(BuiltinOperator.FAKE_QUANT, new int[] {h}, new int[] {hFq}, new OpOptions.FakeQuant(0f, 4f, 8, false));
        int w2 = b.constantFloat32("w2", new int[] {1, 16}, TestModels.random(r, 16, 0.5f));
        int y = b.tensor("y", DataType.FLOAT32, new int[] {1, 1}, QuantParams.NONE);
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {hFq, w2, -1}, new int[] {y},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        int out = b.tensor("y/fq", DataType.FLOAT32, new int[] {1, 1}, QuantParams.NONE);
        b.op(BuiltinOperator.FAKE_QUANT, new int[] {y}, new int[] {out}, new OpOptions.FakeQuant(-3f, 1f, 8, false));
        b.output(out);
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(value = InferenceType.class, names = {"INT8", "UINT8"})
    void rangesOfFakeQuantOpsWinOverCalibration(InferenceType type) {
        Graph g = qatModel();
        // Calibration data far wider than the trained ranges: must not change the parameters.
        CalibrationData wide = TestModels.uniformSamples(g, 20, -5, 5, 3);
        for (CalibrationData data : new CalibrationData[] {null, wide}) {
            Converter.Result r = Converter.convert(g, data, Converter.Options.defaults(type), Progress.NONE);
            Graph q = ModelReader.read(ByteBuffer.wrap(r.bytes()));
            int shift = type == InferenceType.INT8 ? -128 : 0;
            assertEquals(0, q.operators().stream().filter(op -> op.opName().equals("FAKE_QUANT")).count());
            // TensorFlow's FakeQuant: scale = (max - min) / 255, zero point = round(-min / scale)
            // (63.75 -> 64, 0, 191.25 -> 191: no ties, so no float rounding question).
            assertParams(q, q.inputs()[0], 4f / 255, 64 + shift);
            assertParams(q, q.operators().get(0).output(0), 4f / 255, shift);
            assertParams(q, q.outputs()[0], 4f / 255, 191 + shift);
            assertEquals("y/fq", q.output(0).name());
        }
    }

    private static void assertParams(Graph q, int tensor, float scale, int zeroPoint) {
        QuantParams p = q.tensor(tensor).quant();
        assertEquals(scale, p.scale(), 0f, q.tensor(tensor).toString());
        assertEquals(zeroPoint, p.zeroPoint(), q.tensor(tensor).toString());
    }

    @ParameterizedTest
    @EnumSource(value = InferenceType.class, names = {"INT8", "UINT8"})
    void rangesRecordedOnTensorsAreHonouredAndTheDefaultRangeFillsTheRest(InferenceType type) {
        // Ranges as tensor min/max instead of ops (TOCO's QAT export). A graph input's min/max is not
        // trusted (float models record their pixel range there): the default range covers it.
        GraphBuilder b = new GraphBuilder();
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 4},
                QuantParams.of(new float[0], new int[0], 0, new float[] {0f}, new float[] {255f}));
        int w = b.constantFloat32("w", new int[] {2, 4}, new float[] {1, 2, 3, 4, -1, -2, -3, -4});
        int out = b.tensor("y", DataType.FLOAT32, new int[] {1, 2},
                QuantParams.of(new float[0], new int[0], 0, new float[] {-8f}, new float[] {8f}));
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, -1}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        b.output(out);
        Graph g = ModelReader.read(ModelWriter.toByteBuffer(b.build()));
        Converter.Result r = Converter.convert(g, null, Converter.Options.defaults(type)
                .withDefaultRange(new io.qbridge.converter.quantize.Range(-1f, 3f)), Progress.NONE);
        DataType t = type == InferenceType.INT8 ? DataType.INT8 : DataType.UINT8;
        int shift = type == InferenceType.INT8 ? -128 : 0;
        assertEquals(4f / 255, r.graph().input(0).quant().scale(), 1e-9f);
        assertEquals(64 + shift, r.graph().input(0).quant().zeroPoint());   // round(1 / (4/255)) = 64
        assertEquals(16f / 255, r.graph().output(0).quant().scale(), 1e-9f);
        assertEquals(t, r.graph().output(0).type());
    }
}
