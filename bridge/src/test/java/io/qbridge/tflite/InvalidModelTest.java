package io.qbridge.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.tflite.schema.Model;
import io.qbridge.tflite.schema.SubGraph;
import io.qbridge.tflite.schema.Tensor;
import io.qbridge.tflite.schema.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed models: each gives an InvalidModelException whose message names what is wrong (the
 * tensor, operator or flatbuffer field), never an unchecked exception from inside the reader.
 * Cases start from {@link RawModel#fullyConnected()}, which is checked to load and run.
 */
class InvalidModelTest {

    private static InvalidModelException invalid(RawModel m) {
        return invalid(m.toBytes());
    }

    private static InvalidModelException invalid(byte[] bytes) {
        return assertThrows(InvalidModelException.class, () -> ModelReader.read(ByteBuffer.wrap(bytes)));
    }

    private static void assertInvalid(Consumer<RawModel> damage, String... expectedInMessage) {
        RawModel m = RawModel.fullyConnected();
        damage.accept(m);
        String message = invalid(m).getMessage();
        for (String part : expectedInMessage) {
            assertTrue(message.contains(part), "message '" + message + "' should contain '" + part + "'");
        }
    }

    @Test
    void validStartingPointLoadsAndRuns() {
        try (Interpreter it = new Interpreter(RawModel.fullyConnected().toBuffer(),
                new Interpreter.Options().setBackend(Interpreter.Backend.JAVA))) {
            it.getInputTensor(0).copyFrom(new float[] {1, 2, 3, 4});
            it.run();
            assertArrayEquals(new float[] {1.5f, 1.5f, 5}, it.getOutputTensor(0).floats());
        }
    }

    // ---- truncation ----

    @Test
    void everyTruncationOfABuiltModelIsRefusedOrHarmless() {
        checkTruncations(RawModel.fullyConnected().toBytes(), "built model");
    }

    @Test
    void everyTruncationOfASharedModelIsRefusedOrHarmless() throws IOException {
        checkTruncations(Files.readAllBytes(SharedData.model("hello_world_int8")), "hello_world_int8");
    }

    /** Cutting a file short must fail cleanly, unless only bytes nothing refers to were cut. */
    private static void checkTruncations(byte[] full, String what) {
        Graph whole = ModelReader.read(ByteBuffer.wrap(full));
        int refused = 0;
        for (int length = 0; length < full.length; length++) {
            ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(full, length));
            try {
                assertEquals(whole, ModelReader.read(cut), what + " cut to " + length + " bytes loaded differently");
            } catch (InvalidModelException e) {
                assertNotNull(e.getMessage());
                assertTrue(e.getCause() == null, what + " cut to " + length + " bytes slipped past the verifier: " + e);
                refused++;
            }
        }
        assertTrue(refused > full.length * 9 / 10, what + ": only " + refused + " of " + full.length + " truncations refused");
    }

    // ---- shapes and buffers ----

    @Test
    void hugeDimensionsAreRefused() {
        assertInvalid(m -> m.tensors.get(0).shape = new int[] {1, Integer.MAX_VALUE}, "tensor 0 'input'",
                "more elements than a tensor can hold");
        assertInvalid(m -> m.tensors.get(3).shape = new int[] {65536, 65536, 65536}, "tensor 3 'output'",
                "more elements than a tensor can hold");
        assertInvalid(m -> m.tensors.get(0).shape = new int[] {1, 1 << 29}, "tensor 0 'input'", "too large");
    }

    @Test
    void negativeDimensionsAndExcessiveRankAreRefused() {
        assertInvalid(m -> m.tensors.get(0).shape = new int[] {-1, 4}, "tensor 0 'input'", "dimension 0 is -1");
        assertInvalid(m -> m.tensors.get(3).shape = new int[] {1, 1, 1, 1, 1, 1, 1, 1, 3}, "tensor 3", "rank 9");
    }

    @Test
    void bufferSizeMustMatchShapeAndType() {
        assertInvalid(m -> m.buffers.set(1, new byte[44]), "tensor 1 'weights'", "44 bytes", "needs 48");
        assertInvalid(m -> m.tensors.get(1).type = TensorType.INT8, "tensor 1 'weights'", "48 bytes", "needs 12");
    }

    @Test
    void unknownTensorTypeIsRefused() {
        assertInvalid(m -> m.tensors.get(0).type = 99, "tensor 0 'input'", "unknown tensor type code 99");
    }

    // ---- indices ----

    @Test
    void tensorIndicesOutOfRangeAreRefused() {
        assertInvalid(m -> m.operators.get(0).inputs = new int[] {4, 1, 2}, "operator 0 (FULLY_CONNECTED)",
                "input 0 = 4 is not a tensor index");
        assertInvalid(m -> m.operators.get(0).inputs = new int[] {0, -2, 2}, "operator 0", "input 1 = -2");
        assertInvalid(m -> m.operators.get(0).outputs = new int[] {-1}, "operator 0", "outputs[0] = -1");
        assertInvalid(m -> m.operators.get(0).outputs = new int[] {Integer.MAX_VALUE}, "operator 0", "outputs[0]");
        assertInvalid(m -> m.inputs = new int[] {7}, "graph inputs[0] = 7");
        assertInvalid(m -> m.outputs = new int[] {-1}, "graph outputs[0] = -1");
    }

    @Test
    void bufferIndicesOutOfRangeAreRefused() {
        assertInvalid(m -> m.tensors.get(1).buffer = 3, "tensor 1 'weights'", "buffer index 3 out of range");
        assertInvalid(m -> m.tensors.get(1).buffer = 0xFFFFFFFFL, "tensor 1", "buffer index 4294967295");
        assertInvalid(m -> m.metadata.add(new Object[] {"labels", 9L}), "metadata 0", "buffer index 9");
    }

    @Test
    void opcodeIndicesOutOfRangeAreRefused() {
        assertInvalid(m -> m.operators.get(0).opcodeIndex = 1, "operator 0", "opcode index 1 out of range");
        assertInvalid(m -> m.operators.get(0).opcodeIndex = 0xFFFFFFFFL, "operator 0", "opcode index 4294967295");
    }

    @Test
    void dataflowErrorsNameTheOperator() {
        // Reads the output it is about to write: read before written.
        assertInvalid(m -> m.operators.get(0).inputs = new int[] {3, 1, 2}, "operator 0 (FULLY_CONNECTED)",
                "read before any operator writes it");
        assertInvalid(m -> m.operators.get(0).outputs = new int[] {1}, "operator 0", "is a constant");
        assertInvalid(m -> m.outputs = new int[] {3, 1}, "graph output tensor 1 'weights'", "is a constant");
        assertInvalid(m -> m.inputs = new int[] {0, 2}, "graph input tensor 2 'bias'", "is a constant");
    }

    // ---- options union ----

    @Test
    void optionsOfAnotherOpAreRefused() {
        assertInvalid(m -> m.operators.get(0).options(new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.NONE, 1, 1)),
                "operator 0 (FULLY_CONNECTED)", "union type 1 (Conv2DOptions)", "FullyConnectedOptions");
        // The type says Conv2D, the table is an FC one: still the type at fault.
        assertInvalid(m -> m.operators.get(0).optionsType = 1, "operator 0", "Conv2DOptions");
        assertInvalid(m -> m.operators.get(0).optionsType = 200, "operator 0", "union type 200");
    }

    @Test
    void optionsTypeWithoutTableIsRefused() {
        assertInvalid(m -> m.operators.get(0).options = null, "operator 0", "options table is missing");
    }

    @Test
    void optionValuesAreChecked() {
        assertInvalid(m -> {
            m.opcodes.set(0, BuiltinOperator.SOFTMAX);
            m.operators.get(0).inputs = new int[] {0};
            m.tensors.get(3).shape = new int[] {1, 4};
            m.operators.get(0).options(new OpOptions.Softmax(Float.NaN));
        }, "operator 0 (SOFTMAX)", "beta is NaN");
    }

    // ---- quantization ----

    @Test
    void quantizationVectorsMustAgreeWithTheShape() {
        assertInvalid(m -> {
            m.tensors.get(0).scales = new float[] {0.1f, 0.2f};
            m.tensors.get(0).zeroPoints = new long[] {0, 0};
            m.tensors.get(0).quantizedDimension = 1;
        }, "tensor 0 'input'", "2 per-channel scales for dimension 1 of size 4");
        assertInvalid(m -> {
            m.tensors.get(1).scales = new float[] {0.1f, 0.2f, 0.3f};
            m.tensors.get(1).zeroPoints = new long[] {0, 0, 0};
            m.tensors.get(1).quantizedDimension = 5;
        }, "tensor 1 'weights'", "quantized dimension 5 out of range for rank 2");
        assertInvalid(m -> {
            m.tensors.get(0).scales = new float[] {0.1f, 0.2f};
            m.tensors.get(0).zeroPoints = new long[] {0};
        }, "tensor 0 'input'", "2 scales but 1 zero points");
        assertInvalid(m -> m.tensors.get(0).zeroPoints = new long[] {3}, "tensor 0", "zero points but no scales");
    }

    @Test
    void quantizationValuesAreChecked() {
        assertInvalid(m -> {
            m.tensors.get(0).type = TensorType.INT8;
            m.tensors.get(0).scales = new float[] {0.5f};
            m.tensors.get(0).zeroPoints = new long[] {300};
        }, "tensor 0 'input'", "zero point 300 does not fit INT8");
        assertInvalid(m -> {
            m.tensors.get(0).scales = new float[] {Float.NaN};
            m.tensors.get(0).zeroPoints = new long[] {0};
        }, "tensor 0 'input'", "scale 0 is NaN");
        assertInvalid(m -> {
            m.tensors.get(0).scales = new float[] {Float.POSITIVE_INFINITY};
            m.tensors.get(0).zeroPoints = new long[] {0};
        }, "tensor 0 'input'", "Infinity");
    }

    // ---- header ----

    @Test
    void wrongVersionOrIdentifierIsRefused() {
        assertInvalid(m -> m.version = 2, "schema version 2, expected 3");
        assertInvalid(m -> m.identifier = false, "not a TensorFlow Lite model");
        assertTrue(invalid(new byte[0]).getMessage().contains("0 bytes"));
        assertTrue(invalid("PK\u0003\u0004 this is a zip".getBytes()).getMessage().contains("not a TensorFlow Lite model"));
    }

    // ---- flatbuffer structure: the Verifier names the field path ----

    @Test
    void rootOffsetOutsideTheFileIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        putInt(bytes, 0, bytes.length + 100);
        assertMessage(bytes, "malformed flatbuffer at model", "root table");
    }

    @Test
    void vtableOutsideTheFileIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        int root = getInt(bytes, 0);
        putInt(bytes, root, -1_000_000);
        assertMessage(bytes, "malformed flatbuffer at model", "vtable");
    }

    @Test
    void hugeVectorLengthIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        Tensor t = Model.getRootAsModel(ByteBuffer.wrap(bytes)).subgraphs(0).tensors(2);
        putInt(bytes, t.shapeAsByteBuffer().position() - 4, 0x3FFFFFFF);
        assertMessage(bytes, "model.subgraphs[0].tensors[2].shape", "runs past the end");
    }

    @Test
    void unterminatedStringIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        Tensor t = Model.getRootAsModel(ByteBuffer.wrap(bytes)).subgraphs(0).tensors(1);
        bytes[t.nameAsByteBuffer().limit()] = 'x';
        assertMessage(bytes, "model.subgraphs[0].tensors[1].name", "not zero-terminated");
    }

    @Test
    void tableOffsetOutsideTheFileIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int operatorsVector = vectorOf(bb, subgraphTable(bb), 3);
        putInt(bytes, operatorsVector + 4, 0x7FFF0000);   // operators[0] points far past the end
        assertMessage(bytes, "model.subgraphs[0].operators[0]", "outside the");
    }

    @Test
    void misalignedScalarIsRefused() {
        byte[] bytes = RawModel.fullyConnected().toBytes();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int root = bb.getInt(0);
        int vtable = root - bb.getInt(root);
        // Model.version (field 0, a uint) moved one byte: no longer 4-aligned.
        bb.putShort(vtable + 4, (short) (bb.getShort(vtable + 4) + 1));
        assertMessage(bytes, "model.version", "not aligned");
    }

    @Test
    void sharedSubTablesCannotMakeVerificationQuadratic() {
        // One tensor table referenced by over a million vector entries: the C++ verifier's table
        // limit applies, so verification stops early instead of walking every reference.
        FlatBufferBuilder b = new FlatBufferBuilder(1 << 23);
        int shape = Tensor.createShapeVector(b, new int[] {1});
        int tensor = Tensor.createTensor(b, shape, TensorType.FLOAT32, 0, 0, 0, false, 0, 0, false);
        int n = Verifier.MAX_TABLES + 10;
        b.startVector(4, n, 4);
        for (int i = 0; i < n; i++) {
            b.addOffset(tensor);
        }
        int tensors = b.endVector();
        int subgraph = SubGraph.createSubGraph(b, tensors, 0, 0, 0, 0);
        int model = Model.createModel(b, 3, 0, Model.createSubgraphsVector(b, new int[] {subgraph}), 0, 0, 0, 0, 0);
        Model.finishModelBuffer(b, model);
        assertMessage(b.sizedByteArray(), "more than " + Verifier.MAX_TABLES + " tables");
    }

    // ---- unsupported ops: all at once, by name ----

    @Test
    void unsupportedOpsAreReportedAllAtOnceByName() {
        RawModel m = RawModel.fullyConnected();
        m.opcodes.add(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM);
        m.opcodes.add(BuiltinOperator.CUSTOM);
        m.opcodes.add(1000);   // newer than qbridge's schema: unsupported, not malformed
        m.tensors.add(new RawModel.RawTensor("a", new int[] {1, 3}, 0));
        m.tensors.add(new RawModel.RawTensor("b", new int[] {1, 3}, 0));
        m.tensors.add(new RawModel.RawTensor("c", new int[] {1, 3}, 0));
        m.tensors.add(new RawModel.RawTensor("d", new int[] {1, 3}, 0));
        m.operators.add(new RawModel.RawOperator(1, new int[] {3}, new int[] {4}, null));
        m.operators.add(new RawModel.RawOperator(2, new int[] {4}, new int[] {5}, null));
        m.operators.add(new RawModel.RawOperator(1, new int[] {5}, new int[] {6}, null));
        m.operators.add(new RawModel.RawOperator(3, new int[] {6}, new int[] {7}, null));
        m.outputs = new int[] {7};
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> new Interpreter(m.toBuffer(),
                new Interpreter.Options().setBackend(Interpreter.Backend.JAVA)));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("UNIDIRECTIONAL_SEQUENCE_LSTM (operators 1, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("CUSTOM() (operator 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("BUILTIN_1000 (operator 4)"), e.getMessage());
    }

    // ---- files ----

    @Test
    void directoryEmptyMissingAndTruncatedFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelReader.read(dir));
        assertTrue(e.getMessage().contains(dir + " is a directory"), e.getMessage());
        e = assertThrows(InvalidModelException.class, () -> new Interpreter(dir));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());

        Path empty = Files.createFile(dir.resolve("empty.tflite"));
        e = assertThrows(InvalidModelException.class, () -> new Interpreter(empty));
        assertTrue(e.getMessage().contains(empty + " is empty"), e.getMessage());

        Path missing = dir.resolve("missing.tflite");
        NoSuchFileException n = assertThrows(NoSuchFileException.class, () -> new Interpreter(missing));
        assertTrue(n.getMessage().contains("missing.tflite"), n.getMessage());

        byte[] full = RawModel.fullyConnected().toBytes();
        Path truncated = Files.write(dir.resolve("truncated.tflite"), Arrays.copyOf(full, full.length / 2));
        e = assertThrows(InvalidModelException.class, () -> new Interpreter(truncated));
        assertTrue(e.getMessage().startsWith(truncated + ": "), "the message should name the file: " + e.getMessage());
        e = assertThrows(InvalidModelException.class, () -> ModelReader.read(truncated));
        assertTrue(e.getMessage().startsWith(truncated + ": "), e.getMessage());
    }

    // ---- helpers ----

    private static void assertMessage(byte[] bytes, String... parts) {
        InvalidModelException e = invalid(bytes);
        for (String part : parts) {
            if (!e.getMessage().contains(part)) {
                fail("message '" + e.getMessage() + "' should contain '" + part + "'");
            }
        }
        assertInstanceOf(InvalidModelException.class, e);
        assertTrue(e.getCause() == null, "the verifier, not an accessor, should have caught it: " + e);
    }

    private static int subgraphTable(ByteBuffer bb) {
        int subgraphs = vectorOf(bb, bb.getInt(0), 2);
        return subgraphs + 4 + bb.getInt(subgraphs + 4);
    }

    /** Absolute position of the length word of vector field {@code id} of the table at {@code table}. */
    private static int vectorOf(ByteBuffer bb, int table, int id) {
        int vtable = table - bb.getInt(table);
        int field = table + bb.getShort(vtable + 4 + 2 * id);
        return field + bb.getInt(field);
    }

    private static int getInt(byte[] b, int pos) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(pos);
    }

    private static void putInt(byte[] b, int pos, int value) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, value);
    }
}
