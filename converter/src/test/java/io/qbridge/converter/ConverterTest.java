package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.observe.Observer;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConverterTest {

    static float[] runFloat(Graph g, float[] input) {
        try (Interpreter it = new Interpreter(ModelWriter.toByteBuffer(g), new Interpreter.Options()
                .setBackend(Interpreter.Backend.JAVA))) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).floats();
        }
    }

    static float[] run(byte[] model, float[] input) {
        try (Interpreter it = new Interpreter(ByteBuffer.wrap(model), new Interpreter.Options()
                .setBackend(Interpreter.Backend.JAVA))) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).floats();
        }
    }

    /** Mean relative error: mean |q - f| over max |f|. */
    static double relativeError(Graph g, byte[] model, CalibrationData test) {
        double err = 0;
        double peak = 0;
        int n = 0;
        for (float[][] s : test.samples()) {
            float[] f = runFloat(g, s[0]);
            float[] q = run(model, s[0]);
            for (int i = 0; i < f.length; i++) {
                err += Math.abs(f[i] - q[i]);
                peak = Math.max(peak, Math.abs(f[i]));
                n++;
            }
        }
        return err / n / peak;
    }

    @Test
    void int8SmallCnnAgreesWithFloat() {
        Graph g = TestModels.smallCnn(1);
        CalibrationData cal = TestModels.uniformSamples(g, 30, -1, 1, 2);
        Converter.Result r = Converter.convert(g, cal, Converter.Options.defaults(InferenceType.INT8), Progress.NONE);
        Graph q = ModelReader.read(ByteBuffer.wrap(r.bytes()));
        assertEquals(DataType.INT8, q.input(0).type());
        TensorSpec dw = q.tensor(q.operators().get(1).input(1));
        assertEquals(DataType.INT8, dw.type());
        assertEquals(8, dw.quant().channelCount(), "depthwise weights per channel");
        assertEquals(3, dw.quant().axis());
        double e = relativeError(g, r.bytes(), TestModels.uniformSamples(g, 10, -1, 1, 3));
        assertTrue(e < 0.03, "int8 relative error " + e);
        assertTrue(r.summary().outputSqnrDb() > 20, "output SQNR " + r.summary().outputSqnrDb());
        assertEquals(4, r.summary().layers().size());
    }

    @Test
    void uint8EqualizationHelpsDepthwiseWithUnevenChannels() {
        Graph g = TestModels.smallCnn(1);
        CalibrationData cal = TestModels.uniformSamples(g, 30, -1, 1, 2);
        CalibrationData test = TestModels.uniformSamples(g, 10, -1, 1, 3);
        Converter.Options o = Converter.Options.defaults(InferenceType.UINT8).withObserver(Observer.MINMAX);
        Converter.Result plain = Converter.convert(g, cal, o.withEqualize(false), Progress.NONE);
        Converter.Result equalized = Converter.convert(g, cal, o.withEqualize(true), Progress.NONE);
        double ePlain = relativeError(g, plain.bytes(), test);
        double eEq = relativeError(g, equalized.bytes(), test);
        System.out.println("uint8 relative error plain " + ePlain + " equalized " + eEq);
        assertTrue(eEq < ePlain, "equalized " + eEq + " vs plain " + ePlain);
        Graph q = ModelReader.read(ByteBuffer.wrap(equalized.bytes()));
        assertEquals(DataType.UINT8, q.input(0).type());
        assertEquals(1, q.tensor(q.operators().get(1).input(1)).quant().channelCount(), "uint8 weights per tensor");
    }

    /** Equalized layers are written in one order: ops hash by identity, which once shuffled them. */
    @Test
    void equalizedModelsConvertToTheSameBytesEachTime() {
        Graph g = TestModels.smallCnn(1);
        CalibrationData cal = TestModels.uniformSamples(g, 30, -1, 1, 2);
        Converter.Options o = Converter.Options.defaults(InferenceType.UINT8).withObserver(Observer.MINMAX);
        byte[] first = Converter.convert(g, cal, o, Progress.NONE).bytes();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(first, Converter.convert(g, cal, o, Progress.NONE).bytes(), "conversion " + (i + 2));
        }
    }

    @Test
    void floatInputAndOutputGetQuantizeAndDequantizeAtTheEdges() {
        Graph g = TestModels.smallCnn(4);
        CalibrationData cal = TestModels.uniformSamples(g, 20, -1, 1, 5);
        Converter.Result r = Converter.convert(g, cal, Converter.Options.defaults(InferenceType.INT8)
                .withIo(DataType.FLOAT32, DataType.FLOAT32), Progress.NONE);
        Graph q = r.graph();
        assertEquals(DataType.FLOAT32, q.input(0).type());
        assertEquals(DataType.FLOAT32, q.output(0).type());
        assertEquals("image", q.input(0).name());
        assertEquals("QUANTIZE", q.operators().get(0).opName());
        assertEquals("DEQUANTIZE", q.operators().get(q.operators().size() - 1).opName());
    }

    @Test
    void weightsOnlyKeepsFloatActivationsAtAQuarterOfTheWeights() {
        Graph g = TestModels.smallCnn(6);
        Converter.Result r = Converter.convert(g, null, Converter.Options.defaults(InferenceType.WEIGHTS_ONLY),
                Progress.NONE);
        Graph q = ModelReader.read(ByteBuffer.wrap(r.bytes()));
        assertEquals(DataType.FLOAT32, q.input(0).type());
        assertTrue(r.summary().sizeRatio() < 0.45, "size ratio " + r.summary().sizeRatio());
        double e = relativeError(g, r.bytes(), TestModels.uniformSamples(g, 5, -1, 1, 7));
        assertTrue(e < 0.01, "weights-only relative error " + e);
    }

    @Test
    void floatLayersStayFloatBehindADequantizeOfTheIntegerInput() {
        Graph g = TestModels.smallCnn(8);
        CalibrationData cal = TestModels.uniformSamples(g, 20, -1, 1, 9);
        Converter.Result all = Converter.convert(g, cal, Converter.Options.defaults(InferenceType.INT8), Progress.NONE);
        Converter.Result mixed = Converter.convert(g, cal, Converter.Options.defaults(InferenceType.INT8)
                .withFloatLayers(2), Progress.NONE);
        Graph q = mixed.graph();
        assertEquals(DataType.INT8, q.input(0).type(), "the model's interface stays integer");
        assertEquals(List.of("DEQUANTIZE", "CONV_2D", "DEPTHWISE_CONV_2D", "QUANTIZE", "CONV_2D", "FULLY_CONNECTED"),
                q.operators().stream().map(io.qbridge.graph.Operator::opName).toList());
        assertEquals(DataType.FLOAT32, q.tensor(q.operators().get(1).input(1)).type());
        assertEquals(DataType.INT8, q.tensor(q.operators().get(4).input(1)).type());
        CalibrationData test = TestModels.uniformSamples(g, 10, -1, 1, 3);
        assertTrue(relativeError(g, mixed.bytes(), test) < relativeError(g, all.bytes(), test),
                "keeping the first layers float must cost less error");
    }
}
