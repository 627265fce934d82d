package io.qbridge.tflite;

import io.qbridge.files.AtomicFiles;

import com.google.flatbuffers.FlatBufferBuilder;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.Buffer;
import io.qbridge.tflite.schema.Metadata;
import io.qbridge.tflite.schema.Model;
import io.qbridge.tflite.schema.OperatorCode;
import io.qbridge.tflite.schema.QuantizationParameters;
import io.qbridge.tflite.schema.SubGraph;
import io.qbridge.tflite.schema.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Graph} as a .tflite flatbuffer (schema version 3) that TFLite, Arm NN and qbridge
 * read. Each constant tensor gets its own buffer, aligned to 16 bytes; buffer 0 is the empty
 * sentinel; op codes carry both {@code deprecated_builtin_code} and {@code builtin_code}.
 */
public final class ModelWriter {
    private static final int BUFFER_ALIGNMENT = 16;
    private static final int DEPRECATED_CODE_LIMIT = 127;

    private ModelWriter() {
    }

    /**
     * Writes to a file atomically, as a regular file only ({@link AtomicFiles}): a partial file is
     * never left behind, and a device or folder at the path is refused, not replaced.
     */
    public static void write(Graph graph, Path path) throws IOException {
        AtomicFiles.write(path, toByteBuffer(graph));
    }

    public static byte[] toBytes(Graph graph) {
        ByteBuffer bb = toByteBuffer(graph);
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    /** The serialized model, positioned at its start, little-endian. */
    public static ByteBuffer toByteBuffer(Graph graph) {
        long estimate = 1024;
        for (TensorSpec t : graph.tensors()) {
            estimate += 128 + (t.isConstant() ? t.data().remaining() + BUFFER_ALIGNMENT : 0);
        }
        FlatBufferBuilder b = new FlatBufferBuilder((int) Math.min(estimate, Integer.MAX_VALUE - 8));

        // Buffers first (largest data), then everything that refers to them.
        List<Integer> bufferOffsets = new ArrayList<>();
        Buffer.startBuffer(b);
        bufferOffsets.add(Buffer.endBuffer(b));
        int[] tensorBuffer = new int[graph.tensors().size()];
        for (TensorSpec t : graph.tensors()) {
            if (t.isConstant()) {
                tensorBuffer[t.index()] = bufferOffsets.size();
                bufferOffsets.add(buffer(b, t.data()));
            }
        }
        int[] metadataBuffer = new int[graph.metadata().size()];
        for (int i = 0; i < metadataBuffer.length; i++) {
            metadataBuffer[i] = bufferOffsets.size();
            bufferOffsets.add(buffer(b, graph.metadata().get(i).data()));
        }

        int[] tensorOffsets = new int[graph.tensors().size()];
        Map<String, Integer> sharedVectors = new java.util.HashMap<>();
        for (TensorSpec t : graph.tensors()) {
            tensorOffsets[t.index()] = tensor(b, t, tensorBuffer[t.index()], sharedVectors);
        }

        Map<String, Integer> codeIndex = new LinkedHashMap<>();
        List<Operator> codeOwners = new ArrayList<>();
        int[] operatorOffsets = new int[graph.operators().size()];
        for (Operator op : graph.operators()) {
            String key = op.builtinCode() + "/" + op.customCode() + "/" + op.version();
            Integer index = codeIndex.get(key);
            if (index == null) {
                index = codeIndex.size();
                codeIndex.put(key, index);
                codeOwners.add(op);
            }
            int options = OptionsCodec.write(b, op.options());
            int inputs = io.qbridge.tflite.schema.Operator.createInputsVector(b, op.inputs());
            int outputs = io.qbridge.tflite.schema.Operator.createOutputsVector(b, op.outputs());
            io.qbridge.tflite.schema.Operator.startOperator(b);
            io.qbridge.tflite.schema.Operator.addOpcodeIndex(b, index);
            io.qbridge.tflite.schema.Operator.addInputs(b, inputs);
            io.qbridge.tflite.schema.Operator.addOutputs(b, outputs);
            if (options != 0) {
                io.qbridge.tflite.schema.Operator.addBuiltinOptionsType(b, (byte) op.options().unionType());
                io.qbridge.tflite.schema.Operator.addBuiltinOptions(b, options);
            }
            operatorOffsets[op.index()] = io.qbridge.tflite.schema.Operator.endOperator(b);
        }
        int[] codeOffsets = new int[codeOwners.size()];
        for (int i = 0; i < codeOffsets.length; i++) {
            Operator op = codeOwners.get(i);
            int custom = op.customCode() == null ? 0 : b.createString(op.customCode());
            OperatorCode.startOperatorCode(b);
            OperatorCode.addDeprecatedBuiltinCode(b, (byte) Math.min(op.builtinCode(), DEPRECATED_CODE_LIMIT));
            OperatorCode.addBuiltinCode(b, op.builtinCode());
            if (custom != 0) {
                OperatorCode.addCustomCode(b, custom);
            }
            OperatorCode.addVersion(b, op.version());
            codeOffsets[i] = OperatorCode.endOperatorCode(b);
        }

        int subgraph = SubGraph.createSubGraph(b,
                SubGraph.createTensorsVector(b, tensorOffsets),
                SubGraph.createInputsVector(b, graph.inputs()),
                SubGraph.createOutputsVector(b, graph.outputs()),
                SubGraph.createOperatorsVector(b, operatorOffsets),
                b.createString("main"));

        int[] metadataOffsets = new int[metadataBuffer.length];
        for (int i = 0; i < metadataOffsets.length; i++) {
            metadataOffsets[i] = Metadata.createMetadata(b, b.createString(graph.metadata().get(i).name()),
                    metadataBuffer[i]);
        }
        int description = b.createString(graph.description());
        int model = Model.createModel(b, ModelReader.SCHEMA_VERSION,
                Model.createOperatorCodesVector(b, codeOffsets),
                Model.createSubgraphsVector(b, new int[] {subgraph}),
                description,
                Model.createBuffersVector(b, bufferOffsets.stream().mapToInt(Integer::intValue).toArray()),
                0,
                metadataOffsets.length == 0 ? 0 : Model.createMetadataVector(b, metadataOffsets),
                0);
        Model.finishModelBuffer(b, model);
        return b.dataBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int buffer(FlatBufferBuilder b, ByteBuffer data) {
        ByteBuffer src = data.duplicate();
        ByteBuffer dst = b.createUnintializedVector(1, src.remaining(), BUFFER_ALIGNMENT);
        dst.put(src);
        int vector = b.endVector();
        Buffer.startBuffer(b);
        Buffer.addData(b, vector);
        return Buffer.endBuffer(b);
    }

    private static int tensor(FlatBufferBuilder b, TensorSpec t, int bufferIndex, Map<String, Integer> sharedVectors) {
        int shape = Tensor.createShapeVector(b, t.shape());
        int name = b.createString(t.name());
        int quant = quantization(b, t.quant(), sharedVectors);
        Tensor.startTensor(b);
        Tensor.addShape(b, shape);
        Tensor.addType(b, (byte) t.type().tfliteCode());
        Tensor.addBuffer(b, bufferIndex);
        Tensor.addName(b, name);
        if (quant != 0) {
            Tensor.addQuantization(b, quant);
        }
        if (t.isVariable()) {
            Tensor.addIsVariable(b, true);
        }
        return Tensor.endTensor(b);
    }

    /**
     * Per-channel scale and zero-point vectors are written once and shared by every tensor with the
     * same values (flatbuffers allows several tables to point at one vector): an int8 model's
     * all-zero int64 zero points would otherwise cost 16 bytes per channel of weights and bias.
     */
    private static int quantization(FlatBufferBuilder b, QuantParams q, Map<String, Integer> sharedVectors) {
        if (q == QuantParams.NONE || (!q.isQuantized() && q.min() == null)) {
            return 0;
        }
        int min = q.min() == null ? 0 : QuantizationParameters.createMinVector(b, q.min());
        int max = q.max() == null ? 0 : QuantizationParameters.createMaxVector(b, q.max());
        int scale = 0;
        int zeroPoint = 0;
        if (q.isQuantized()) {
            float[] scales = q.scales();
            scale = sharedVectors.computeIfAbsent("scale " + java.util.Arrays.toString(scales),
                    k -> QuantizationParameters.createScaleVector(b, scales));
            long[] zp = new long[q.channelCount()];
            for (int i = 0; i < zp.length; i++) {
                zp[i] = q.zeroPoint(i);
            }
            zeroPoint = sharedVectors.computeIfAbsent("zero point " + java.util.Arrays.toString(zp),
                    k -> QuantizationParameters.createZeroPointVector(b, zp));
        }
        QuantizationParameters.startQuantizationParameters(b);
        if (min != 0) {
            QuantizationParameters.addMin(b, min);
            QuantizationParameters.addMax(b, max);
        }
        if (scale != 0) {
            QuantizationParameters.addScale(b, scale);
            QuantizationParameters.addZeroPoint(b, zeroPoint);
        }
        QuantizationParameters.addQuantizedDimension(b, q.axis());
        return QuantizationParameters.endQuantizationParameters(b);
    }
}
