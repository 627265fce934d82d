package io.qbridge.converter;

import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.graph.Graph;
import io.qbridge.image.ImageInput;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** conv_fc_mnist converted (calibrated on images/mnist): classifies sampleN.png as the float model does. */
class MnistTest {

    @ParameterizedTest
    @EnumSource(InferenceType.class)
    void quantizedClassifiesTheDigitsAsTheFloatModel(InferenceType type) throws Exception {
        Path model = SharedData.model("conv_fc_mnist");
        Path images = SharedData.require("images/mnist");
        Graph g = ModelReader.read(model);
        // The model takes pixels / 255 (as its int8 twin's input scale 1/255 says).
        CalibrationData cal = CalibrationData.load(images, g, 100, 0f, 255f, Progress.NONE);
        Converter.Result r = Converter.convert(g, cal, Converter.Options.defaults(type).withMeanStd(0f, 255f),
                Progress.NONE);
        assertTrue(r.summary().sizeRatio() < (type == InferenceType.WEIGHTS_ONLY ? 0.3 : 0.27),
                "size ratio " + r.summary().sizeRatio());
        Interpreter.Options java = new Interpreter.Options().setBackend(Interpreter.Backend.JAVA);
        try (Interpreter f = new Interpreter(model, java);
             Interpreter q = new Interpreter(ByteBuffer.wrap(r.bytes()), java)) {
            for (int digit = 0; digit <= 9; digit++) {
                var img = ImageInput.read(images.resolve("sample" + digit + ".png"));
                ImageInput.feed(f.getInputTensor(0), img, 0f, 255f);
                ImageInput.feed(q.getInputTensor(0), img, 0f, 255f);
                f.run();
                q.run();
                int fd = argmax(f.getOutputTensor(0).floats());
                int qd = argmax(q.getOutputTensor(0).floats());
                assertEquals(digit, fd, "float model on sample" + digit);
                assertEquals(fd, qd, type + " on sample" + digit);
            }
        }
    }

    /** The same model, data and options give the same bytes, on any number of threads. */
    @ParameterizedTest
    @EnumSource(value = InferenceType.class, names = {"INT8", "UINT8"})
    void conversionIsReproducible(InferenceType type) throws Exception {
        Graph g = ModelReader.read(SharedData.model("conv_fc_mnist"));
        CalibrationData cal = CalibrationData.load(SharedData.require("images/mnist"), g, 100, 0f, 255f, Progress.NONE);
        Converter.Options o = Converter.Options.defaults(type).withMeanStd(0f, 255f);
        byte[] first = Converter.convert(g, cal, o.withThreads(1), Progress.NONE).bytes();
        byte[] again = Converter.convert(g, cal, o.withThreads(1), Progress.NONE).bytes();
        byte[] threaded = Converter.convert(g, cal, o.withThreads(3), Progress.NONE).bytes();
        assertArrayEquals(first, again, "a second conversion");
        assertArrayEquals(first, threaded, "a conversion on 3 threads");
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
