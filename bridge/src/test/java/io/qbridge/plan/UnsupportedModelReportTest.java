package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model qbridge cannot run is refused with every operator it lacks named at once, even where
 * another operator is also refused (a preparation error, an unsized graph input): a user deciding
 * whether qbridge runs a model needs the whole list, not the first problem.
 */
class UnsupportedModelReportTest {
    private static final QuantParams NONE = QuantParams.NONE;

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message '" + message + "' should contain '" + part + "'");
        }
    }

    @Test
    void everyMissingOperatorIsNamedWhenAnotherOperatorIsMalformed() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {1, 4}, NONE);
        int missing = g.tensor("from_missing_op", DataType.FLOAT32, new int[] {1, 4}, NONE);
        int wrong = g.tensor("wrong_shape", DataType.FLOAT32, new int[] {1, 5}, NONE);
        g.op(BuiltinOperator.CUSTOM, "qbridge-test-missing", 1, new int[] {in}, new int[] {missing}, null);
        g.op(BuiltinOperator.ADD, new int[] {in, in}, new int[] {wrong}, new OpOptions.Add(io.qbridge.graph.Activation.NONE));
        g.output(missing).output(wrong);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Planner.plan(g.build()));
        assertContains(e.getMessage(), "CUSTOM(qbridge-test-missing) (operator 0)", "also operator 1 (ADD)",
                "'wrong_shape'");
    }

    @Test
    void aMalformedOperatorAloneStaysAnInvalidModel() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {1, 4}, NONE);
        int wrong = g.tensor("wrong_shape", DataType.FLOAT32, new int[] {1, 5}, NONE);
        g.op(BuiltinOperator.ADD, new int[] {in, in}, new int[] {wrong}, new OpOptions.Add(io.qbridge.graph.Activation.NONE));
        g.output(wrong);
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> Planner.plan(g.build()));
        assertContains(e.getMessage(), "operator 0 (ADD)", "'wrong_shape'");
    }

    /** Ethos-U's compiled models hand the custom op scratch tensors that nothing writes, as TFLite allows. */
    @Test
    void aCustomOperatorsUnwrittenScratchInputIsReadAndTheOperatorNamed() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.UINT8, new int[] {1, 16}, NONE);
        int scratch = g.tensor("scratch", DataType.UINT8, new int[] {64}, NONE);
        int out = g.tensor("out", DataType.UINT8, new int[] {1, 16}, NONE);
        g.op(BuiltinOperator.CUSTOM, "qbridge-test-npu", 1, new int[] {in, scratch}, new int[] {out}, null).output(out);
        Graph read = ModelReader.read(ByteBuffer.wrap(ModelWriter.toBytes(g.build())));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Planner.plan(read));
        assertContains(e.getMessage(), "CUSTOM(qbridge-test-npu) (operator 0)");
    }

    @Test
    void aBuiltinOperatorReadingAnUnwrittenTensorIsStillRefused() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {1, 4}, NONE);
        int never = g.tensor("never_written", DataType.FLOAT32, new int[] {1, 4}, NONE);
        int out = g.tensor("out", DataType.FLOAT32, new int[] {1, 4}, NONE);
        g.op(BuiltinOperator.ADD, new int[] {in, never}, new int[] {out}, new OpOptions.Add(io.qbridge.graph.Activation.NONE))
                .output(out);
        // GraphBuilder.build runs the reader's own dataflow check (GraphValidator)
        InvalidModelException e = assertThrows(InvalidModelException.class, g::build);
        assertContains(e.getMessage(), "'never_written'", "is read before any operator writes it");
    }

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    /** A graph input of a type without a fixed size cannot be copied in by size: refused naming it, on every backend. */
    @ParameterizedTest
    @MethodSource("backends")
    void anUnsizedGraphInputIsRefusedNamingTheTensor(Interpreter.Backend backend) {
        for (DataType type : List.of(DataType.STRING, DataType.RESOURCE, DataType.VARIANT, DataType.INT4)) {
            GraphBuilder g = new GraphBuilder();
            int unused = g.input("unsized_input", type, new int[] {32, 32}, NONE);
            int in = g.input("in", DataType.FLOAT32, new int[] {1, 4}, NONE);
            int out = g.tensor("out", DataType.FLOAT32, new int[] {1, 4}, NONE);
            g.op(BuiltinOperator.RELU, new int[] {in}, new int[] {out}, null).output(out);
            assertTrue(unused >= 0);
            ByteBuffer model = ByteBuffer.wrap(ModelWriter.toBytes(g.build()));
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                    () -> new Interpreter(model, new Interpreter.Options().setBackend(backend)).close(), type.toString());
            assertContains(e.getMessage(), "graph input 0", "'unsized_input'", type + ", which has no fixed size");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theSharedUnusedVariantInputIsRefusedNamingTheTensor(Interpreter.Backend backend) throws IOException {
        Path file = SharedData.require("models/invalid/unused_variant_input.tflite");
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> new Interpreter(file, new Interpreter.Options().setBackend(backend)).close());
        assertContains(e.getMessage(), "'serving_default_input_1:0'", "VARIANT");
    }

    static Stream<Path> sharedModels() throws IOException {
        Path root = SharedData.root();
        if (root == null) {
            return Stream.of((Path) null);
        }
        try (Stream<Path> files = Files.walk(root.resolve("models"))) {
            return files.filter(p -> p.toString().endsWith(".tflite")).sorted().toList().stream();
        }
    }

    /** Every shared model qbridge refuses names every operator that has no kernel here (e.g. SVDF, CUSTOM(ethos-u)). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedModels")
    void aRefusedSharedModelNamesEveryOperatorQbridgeLacks(Path model) throws IOException {
        Assumptions.assumeTrue(model != null, "shared test data not found (set QBRIDGE_SHARED): skipping");
        Graph graph = ModelReader.read(model);
        Set<String> lacking = new TreeSet<>();
        for (Operator op : graph.operators()) {
            if (OpRegistry.preparer(op.builtinCode()) == null) {
                lacking.add(op.opName() + " (operator");
            }
        }
        try {
            Planner.plan(graph);
            assertTrue(lacking.isEmpty(), model + " was planned although qbridge lacks " + lacking);
        } catch (QbridgeException e) {
            assertTrue(e instanceof UnsupportedModelException || lacking.isEmpty(),
                    model + ": lacks " + lacking + " but was refused with " + e);
            assertContains(e.getMessage(), lacking.toArray(new String[0]));
        }
    }
}
