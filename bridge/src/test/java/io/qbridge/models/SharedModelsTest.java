package io.qbridge.models;

import io.qbridge.Interpreter;
import io.qbridge.QbridgeException;
import io.qbridge.Tensor;
import io.qbridge.UnsupportedModelException;
import io.qbridge.image.ImageInput;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real models of {@code ../shared/models} (skipped where absent), on every available backend:
 * known classifications of known images, LSTM models refused at load by name, and every other
 * model either runs or fails with a clear message. Backends other than java must give java's
 * bytes exactly where they are bit-exact, and the same top-1 otherwise.
 */
class SharedModelsTest {
    /** What the refusal of each model in ../shared/models/invalid must name. */
    private static final java.util.Map<String, String> INVALID_MODELS_NAME = java.util.Map.of(
            "invalid/model_invoking_error.tflite", "CUSTOM(fake-op-double)",
            "invalid/unused_variant_input.tflite", "'serving_default_input_1:0'");


    /** A backend other than java may refuse a model it cannot run (Arm NN 20.08 and person_detect). */
    private static Interpreter open(String model, Interpreter.Backend backend) throws IOException {
        Path file = SharedData.model(model);
        try {
            return new Interpreter(file, new Interpreter.Options().setBackend(backend));
        } catch (UnsupportedModelException e) {
            if (backend == Interpreter.Backend.JAVA) {
                throw e;
            }
            Assumptions.abort(backend.id() + " cannot run " + model + ": " + e.getMessage());
            throw e;
        }
    }

    private static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String top(float[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            s.append(i == 0 ? "" : ", ").append(order[i]).append('=').append(scores[order[i]]);
        }
        return s.toString();
    }

    /** Feeds an image (ImageInput's mapping, or pixel/255 with mean 0, std 255), runs, returns scores. */
    private static float[] scores(Interpreter it, String image, Float mean, Float std) throws IOException {
        Tensor input = it.getInputTensor(0);
        ImageInput.feed(input, ImageInput.read(SharedData.require("images/" + image)), mean, std);
        it.run();
        return it.getOutputTensor(0).floats();
    }

    // ---- ImageNet: mobilenet_v2_1.0_224_quant ----

    static Stream<Object[]> imagenetCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend b : Backends.available().toList()) {
            list.add(new Object[] {b, "grace_hopper.bmp", 653});   // military uniform
            list.add(new Object[] {b, "cat.bmp", 286});            // Egyptian cat
            list.add(new Object[] {b, "bird.bmp", 20});            // chickadee
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("imagenetCases")
    void mobilenetV2ClassifiesImages(Interpreter.Backend backend, String image, int expected) throws IOException {
        try (Interpreter it = open("mobilenet_v2_1.0_224_quant", backend)) {
            float[] s = scores(it, image, null, null);
            assertEquals(expected, argmax(s), image + " on " + backend.id() + ": top 5 " + top(s, 5));
        }
    }

    // ---- person_detect: output index 1 is "person", 0 "not a person" (TFLite Micro's
    // examples/person_detection/model_settings.h: kPersonIndex = 1, kNotAPersonIndex = 0) ----

    static Stream<Object[]> personCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend b : Backends.available().toList()) {
            list.add(new Object[] {b, "person.bmp", true});
            list.add(new Object[] {b, "no_person.bmp", false});
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} person={2}")
    @MethodSource("personCases")
    void personDetectTellsPersonFromNoPerson(Interpreter.Backend backend, String image, boolean person)
            throws IOException {
        try (Interpreter it = open("person_detect", backend)) {
            // TFLite Micro's person_detection_test copies the BMP's 8-bit pixels into the int8 input
            // byte for byte (tools/generate_cc_arrays.py: PIL tobytes(), then memcpy), so 200 reads as -56:
            // feed the image the same way to compare with its expectations.
            float[] px = ImageInput.pixels(ImageInput.read(SharedData.require("images/" + image)), 96, 96, 1);
            byte[] raw = new byte[px.length];
            for (int i = 0; i < px.length; i++) {
                raw[i] = (byte) Math.round(px[i]);
            }
            it.getInputTensor(0).copyFrom(raw);
            it.run();
            float[] s = it.getOutputTensor(0).floats();
            assertEquals(2, s.length);
            assertEquals(person, s[1] > s[0], image + " on " + backend.id() + ": person " + s[1] + ", not a person " + s[0]);
        }
    }

    // ---- MNIST: conv_fc_mnist (float) and its int8 twin on images/mnist/sampleN.png ----

    /**
     * The float model must read every digit right. The int8 twin is a separately trained network
     * (its weights are not the float ones quantized), so a miss of its own is reported, not failed,
     * as long as it reads at least 9 of the 10 digits and agrees with the float model on 9.
     * (Measured with the java backend: both read all ten right.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qbridge.testing.Backends#available")
    void mnistFloatAndInt8ClassifyTheDigits(Interpreter.Backend backend) throws IOException {
        List<String> misses = new ArrayList<>();
        int int8Right = 0;
        int agree = 0;
        // Both models take pixels scaled to [0, 1] (the int8 input's scale is 1/255, zero point -128).
        try (Interpreter f = open("conv_fc_mnist", backend); Interpreter q = open("conv_fc_mnist_srq_a8w8", backend)) {
            for (int digit = 0; digit <= 9; digit++) {
                String image = "mnist/sample" + digit + ".png";
                float[] fs = scores(f, image, 0f, 255f);
                float[] qs = scores(q, image, 0f, 255f);
                String detail = "float top 3 " + top(fs, 3) + "; int8 top 3 " + top(qs, 3);
                assertEquals(digit, argmax(fs), image + " misclassified by the float model (" + detail + ")");
                if (argmax(qs) == digit) {
                    int8Right++;
                } else {
                    misses.add(image + " read as " + argmax(qs) + " by int8 (" + detail + ")");
                }
                if (argmax(qs) == argmax(fs)) {
                    agree++;
                }
            }
        }
        misses.forEach(m -> System.out.println("[mnist] " + backend.id() + ": " + m));
        assertTrue(int8Right >= 9 && agree >= 9, "int8 read " + int8Right + "/10 digits right: " + misses);
    }

    // ---- LSTM models: refused at load, by op name ----

    static Stream<Object[]> lstmCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend b : Backends.available().toList()) {
            for (String m : new String[] {"trained_lstm", "trained_lstm_int8", "keras_lstm_mnist_ptq"}) {
                list.add(new Object[] {b, m});
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lstmCases")
    void lstmModelsAreRefusedAtLoadByName(Interpreter.Backend backend, String model) {
        Path file = SharedData.model(model);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> new Interpreter(file, new Interpreter.Options().setBackend(backend)).close());
        assertTrue(e.getMessage().contains("UNIDIRECTIONAL_SEQUENCE_LSTM"), e.getMessage());
    }

    // ---- every model: runs, or fails with a clear message ----

    static Stream<Object[]> everyModel() throws IOException {
        Path root = SharedData.root();
        if (root == null) {
            return Stream.<Object[]>of(new Object[] {Interpreter.Backend.JAVA, null});
        }
        List<Path> models;
        try (Stream<Path> files = Files.walk(root.resolve("models"))) {
            models = files.filter(p -> p.toString().endsWith(".tflite")).sorted().toList();
        }
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend b : Backends.available().toList()) {
            for (Path m : models) {
                list.add(new Object[] {b, root.resolve("models").relativize(m).toString()});
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyModel")
    void everyModelRunsOrFailsWithAClearMessage(Interpreter.Backend backend, String model) throws IOException {
        Assumptions.assumeTrue(model != null, "shared test data not found (set QBRIDGE_SHARED): skipping");
        Path file = SharedData.require("models/" + model);
        byte[][] outputs;
        try {
            outputs = runOnPattern(file, backend);
        } catch (QbridgeException e) {
            // A refusal is fine when it says what: the op or tensor at fault, not a bare class name.
            assertTrue(e.getMessage() != null && e.getMessage().length() > 20, model + ": unclear message " + e);
            assertTrue(e.getCause() == null || e.getCause() instanceof QbridgeException, model + ": " + e);
            String expected = INVALID_MODELS_NAME.get(model);
            if (expected != null) {
                assertTrue(e.getMessage().contains(expected), model + " must be refused naming " + expected + ": "
                        + e.getMessage());
            }
            System.out.println("[shared models] " + backend.id() + " " + model + ": " + e.getMessage());
            return;
        }
        assertTrue(!model.startsWith("invalid/"), model + " must not run (../shared/README.md says why)");
        if (backend != Interpreter.Backend.JAVA && Backends.isBitExact(backend)) {
            byte[][] reference = runOnPattern(file, Interpreter.Backend.JAVA);
            for (int k = 0; k < outputs.length; k++) {
                assertArrayEquals(reference[k], outputs[k], model + " output " + k + " on " + backend.id()
                        + " differs from the java reference");
            }
        }
    }

    /** Runs once with a fixed byte pattern in every input; returns every output's bytes. */
    private static byte[][] runOnPattern(Path file, Interpreter.Backend backend) throws IOException {
        try (Interpreter it = new Interpreter(file, new Interpreter.Options().setBackend(backend))) {
            for (int k = 0; k < it.getInputTensorCount(); k++) {
                Tensor in = it.getInputTensor(k);
                if (in.dataType() == io.qbridge.DataType.FLOAT32) {
                    float[] v = new float[in.numElements()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (float) Math.sin(j * 0.1);
                    }
                    in.copyFrom(v);
                } else {
                    byte[] v = new byte[in.numBytes()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (byte) (j * 31 + k);
                    }
                    in.copyFrom(v);
                }
            }
            it.run();
            byte[][] out = new byte[it.getOutputTensorCount()][];
            for (int k = 0; k < out.length; k++) {
                out[k] = it.getOutputTensor(k).bytes();
            }
            return out;
        }
    }
}
