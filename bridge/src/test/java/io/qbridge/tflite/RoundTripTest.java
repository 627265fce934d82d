package io.qbridge.tflite;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.testing.SharedData;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * read → write → read gives an equal Graph, for every shared model and for built graphs that
 * exercise what real models rarely have (zero-element constants, scalars, options tables qbridge
 * does not interpret, metadata). Writing is also a fixed point: the second write gives the same
 * bytes as the first.
 */
class RoundTripTest {

    static Stream<Path> sharedModels() throws IOException {
        Path root = SharedData.root();
        if (root == null) {
            return Stream.of((Path) null);   // one case that skips with a message
        }
        try (Stream<Path> files = Files.walk(root.resolve("models"))) {
            return files.filter(p -> p.toString().endsWith(".tflite")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedModels")
    void sharedModelRoundTrips(Path model) throws IOException {
        Assumptions.assumeTrue(model != null, "shared test data not found (set QBRIDGE_SHARED): skipping");
        Graph original = ModelReader.read(model);
        byte[] written = ModelWriter.toBytes(original);
        Graph reread = ModelReader.read(ByteBuffer.wrap(written));
        assertEquals(original, reread, model + ": the rewritten model reads differently");
        assertArrayEquals(written, ModelWriter.toBytes(reread), model + ": writing is not a fixed point");
    }

    @Test
    void zeroElementConstantStaysAConstant() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE);
        int empty = g.constantInt32("no_paddings", new int[] {0, 2}, QuantParams.NONE, new int[0]);
        int out = g.tensor("out", DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE);
        g.op(BuiltinOperator.PAD, new int[] {in, empty}, new int[] {out}, new OpOptions.Pad()).output(out);
        Graph graph = g.build();
        Graph reread = roundTrip(graph);
        assertEquals(graph, reread);
        assertTrue(reread.tensor(empty).isConstant(), "the zero-element constant became an activation");
        assertEquals(0, reread.tensor(empty).data().remaining());
    }

    @Test
    void zeroElementActivationStaysAnActivation() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {0, 3}, QuantParams.NONE);
        int out = g.tensor("out", DataType.FLOAT32, new int[] {0, 3}, QuantParams.NONE);
        g.op(BuiltinOperator.RELU, new int[] {in}, new int[] {out}, OpOptions.None.INSTANCE).output(out);
        Graph graph = g.build();
        Graph reread = roundTrip(graph);
        assertEquals(graph, reread);
        assertFalse(reread.tensor(out).isConstant());
    }

    @Test
    void everyKindOfTensorAndOptionRoundTrips() {
        GraphBuilder g = new GraphBuilder();
        QuantParams inQ = QuantParams.perTensor(0.5f, -128);
        int in = g.input("in \u00e9\u4e2d", DataType.INT8, new int[] {1, 5, 5, 3}, inQ);
        int filter = g.constantQuantized("filter", DataType.INT8, new int[] {2, 1, 1, 3},
                QuantParams.perChannel(new float[] {0.1f, 0.2f}, new int[] {0, 0}, 0), new int[] {1, -2, 3, -4, 5, -6});
        int bias = g.constantInt32("bias", new int[] {2},
                QuantParams.perChannel(new float[] {0.05f, 0.1f}, new int[] {0, 0}, 0), new int[] {7, -7});
        int conv = g.tensor("conv", DataType.INT8, new int[] {1, 5, 5, 2}, QuantParams.perTensor(0.25f, 3));
        g.op(BuiltinOperator.CONV_2D, new int[] {in, filter, bias}, new int[] {conv},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU6, 1, 1));
        int noBias = g.tensor("fc", DataType.INT8, new int[] {25, 3}, QuantParams.perTensor(0.25f, 3));
        int fcWeights = g.constantQuantized("fc_weights", DataType.INT8, new int[] {3, 2},
                QuantParams.perTensor(0.1f, 0), new int[] {1, 2, 3, 4, 5, 6});
        int flat = g.tensor("flat", DataType.INT8, new int[] {25, 2}, QuantParams.perTensor(0.25f, 3));
        g.op(BuiltinOperator.RESHAPE, new int[] {conv}, new int[] {flat}, new OpOptions.Reshape(new int[] {25, 2}));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {flat, fcWeights, -1}, new int[] {noBias},
                new OpOptions.FullyConnected(Activation.NONE, 0, true, false));
        int scalar = g.constantFloat32("scalar", new int[0], new float[] {3.5f});
        int squeezed = g.tensor("squeezed", DataType.INT8, new int[] {25, 3}, QuantParams.perTensor(0.25f, 3));
        g.op(BuiltinOperator.SQUEEZE, new int[] {noBias}, new int[] {squeezed}, new OpOptions.Squeeze(new int[0]));
        // An op whose options table qbridge does not interpret (GeluOptions {approximate: bool}).
        int gelu = g.tensor("gelu", DataType.INT8, new int[] {25, 3}, QuantParams.perTensor(0.25f, 3));
        g.op(BuiltinOperator.GELU, new int[] {squeezed, scalar}, new int[] {gelu},
                new OpOptions.Unparsed(116, new byte[][] {{1}}));
        int custom = g.tensor("custom", DataType.FLOAT32, new int[] {25, 3}, QuantParams.NONE);
        g.op(BuiltinOperator.CUSTOM, "MyOp", 2, new int[] {gelu}, new int[] {custom}, OpOptions.None.INSTANCE);
        g.output(custom).output(gelu);
        g.description("built by RoundTripTest").metadata("min_runtime_version", new byte[] {'1', '.', '5', 0});
        Graph graph = g.build();

        Graph reread = roundTrip(graph);
        assertEquals(graph, reread);
        assertEquals(new OpOptions.Unparsed(116, new byte[][] {{1}}), reread.operators().get(4).options());
        assertEquals("CUSTOM(MyOp)", reread.operators().get(5).opName());
        assertEquals(-1, reread.operators().get(2).input(2));
        TensorSpec name = reread.tensor(in);
        assertEquals("in \u00e9\u4e2d", name.name());
    }

    @Test
    void unparsedOptionsThatWereNotKeptCannotBeWritten() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
        int out = g.tensor("out", DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
        g.op(BuiltinOperator.BUCKETIZE, new int[] {in}, new int[] {out}, new OpOptions.Unparsed(115)).output(out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(g.build()));
        assertTrue(e.getMessage().contains("BucketizeOptions"), e.getMessage());
    }

    @Test
    void lstmOptionsAreKeptFieldByField() throws IOException {
        Path model = SharedData.model("trained_lstm");
        Graph graph = ModelReader.read(model);
        List<OpOptions> lstm = graph.operators().stream()
                .filter(op -> op.builtinCode() == BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM)
                .map(op -> op.options()).toList();
        assertFalse(lstm.isEmpty());
        OpOptions.Unparsed options = (OpOptions.Unparsed) lstm.get(0);
        assertEquals(71, options.unionType());
        assertNotNull(options.fields(), "UnidirectionalSequenceLSTMOptions holds only scalars and must be kept");
        assertEquals(graph, roundTrip(graph));
    }

    private static Graph roundTrip(Graph graph) {
        return ModelReader.read(ModelWriter.toByteBuffer(graph));
    }
}
