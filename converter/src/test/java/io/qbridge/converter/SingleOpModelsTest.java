package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every model of models/single-op-float either converts (int8 and uint8), runs on the Java backend
 * and agrees with its float original within the quantization error, or is refused with the op named.
 */
class SingleOpModelsTest {

    static Stream<Arguments> models() throws IOException {
        Path dir = SharedData.root() == null ? null : SharedData.root().resolve("models/single-op-float");
        if (dir == null || !Files.isDirectory(dir)) {
            return Stream.of(Arguments.of("(shared data absent)", InferenceType.INT8));
        }
        List<Arguments> list = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".tflite")).sorted().toList()) {
                for (InferenceType t : new InferenceType[] {InferenceType.INT8, InferenceType.UINT8}) {
                    list.add(Arguments.of(p.getFileName().toString().replace(".tflite", ""), t));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void convertsAndAgreesOrIsRefusedWithTheOpNamed(String name, InferenceType type) throws IOException {
        Path model = SharedData.require("models/single-op-float/" + name + ".tflite");
        Graph g = ModelReader.read(model);
        CalibrationData cal = null;
        boolean floatInputs = true;
        for (int t : g.inputs()) {
            floatInputs &= g.tensor(t).type() == DataType.FLOAT32;
        }
        if (floatInputs) {
            cal = TestModels.uniformSamples(g, 50, -1, 1, 17);
        }
        Converter.Result r;
        try {
            // min/max ranges: on the calibration data nothing is clipped, so what remains is rounding.
            r = Converter.convert(g, cal, Converter.Options.defaults(type).withIo(DataType.FLOAT32, DataType.FLOAT32)
                    .withObserver(io.qbridge.converter.observe.Observer.MINMAX), Progress.NONE);
        } catch (ConversionException e) {
            assertTrue(namesAnOpOf(g, e.getMessage()), name + " refused without naming an op of the model: "
                    + e.getMessage());
            System.out.println(name + " " + type + ": refused: " + e.getMessage());
            return;
        }
        if (!floatInputs) {
            fail(name + " has non-float inputs but converted");
        }
        // Samples the calibration saw: values outside the calibrated ranges would be clipped, which
        // is not the rounding error this test bounds.
        CalibrationData test = cal.spread(10);
        Interpreter.Options java = new Interpreter.Options().setBackend(Interpreter.Backend.JAVA);
        double worstSteps = 0;
        try (Interpreter f = new Interpreter(model, java);
             Interpreter q = new Interpreter(ByteBuffer.wrap(r.bytes()), java)) {
            for (float[][] s : test.samples()) {
                for (int i = 0; i < s.length; i++) {
                    f.getInputTensor(i).copyFrom(s[i]);
                    q.getInputTensor(i).copyFrom(s[i]);
                }
                f.run();
                q.run();
                for (int o = 0; o < f.getOutputTensorCount(); o++) {
                    float[] fv = f.getOutputTensor(o).floats();
                    float[] qv = q.getOutputTensor(o).floats();
                    float step = outputStep(r.graph(), o);
                    for (int i = 0; i < fv.length; i++) {
                        worstSteps = Math.max(worstSteps, Math.abs(fv[i] - qv[i]) / step);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s %s: converted, worst error %.2f output steps%n", name, type, worstSteps);
        // Rounding of the inputs and of the output: at most two output steps (measured: 1.32 at worst).
        assertTrue(worstSteps <= 2, name + " " + type + ": quantized output is " + worstSteps
                + " output steps from float");
    }

    /** Quantization step of output o: the scale of the tensor the final DEQUANTIZE reads. */
    static float outputStep(Graph q, int o) {
        int out = q.outputs()[o];
        for (io.qbridge.graph.Operator op : q.operators()) {
            if (op.output(0) == out && op.opName().equals("DEQUANTIZE")) {
                return q.tensor(op.input(0)).quant().scale();
            }
        }
        TensorSpec t = q.tensor(out);
        return t.quant().isQuantized() ? t.quant().scale() : 1e-6f;
    }

    static boolean namesAnOpOf(Graph g, String message) {
        for (io.qbridge.graph.Operator op : g.operators()) {
            if (message.contains(op.opName())) {
                return true;
            }
        }
        return false;
    }
}
