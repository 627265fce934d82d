package io.qbridge.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.schema.Buffer;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.tflite.schema.Model;
import io.qbridge.tflite.schema.Operator;
import io.qbridge.tflite.schema.OperatorCode;
import io.qbridge.tflite.schema.QuantizationParameters;
import io.qbridge.tflite.schema.SubGraph;
import io.qbridge.tflite.schema.Tensor;
import io.qbridge.tflite.schema.TensorType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A .tflite file described field by field, written with the generated builders and none of
 * ModelWriter's checks: tests set the values a correct writer never produces (out-of-range
 * indices, huge shapes, mismatched union types) and check how the reader takes them.
 * {@link #fullyConnected()} is the valid starting point: input[1,4] x weights[3,4] + bias[3].
 */
final class RawModel {
    static final class RawTensor {
        int[] shape;
        byte type = TensorType.FLOAT32;
        long buffer;
        String name;
        float[] scales;
        long[] zeroPoints;
        int quantizedDimension;

        RawTensor(String name, int[] shape, long buffer) {
            this.name = name;
            this.shape = shape;
            this.buffer = buffer;
        }
    }

    static final class RawOperator {
        long opcodeIndex;
        int[] inputs;
        int[] outputs;
        /** The union type written; by default the options record's own. */
        int optionsType;
        /** The table written (null: none, whatever optionsType says). */
        OpOptions options;

        RawOperator(long opcodeIndex, int[] inputs, int[] outputs, OpOptions options) {
            this.opcodeIndex = opcodeIndex;
            this.inputs = inputs;
            this.outputs = outputs;
            options(options);
        }

        /** Sets the table and the union type that goes with it. */
        void options(OpOptions o) {
            this.options = o;
            this.optionsType = o == null ? 0 : o.unionType();
        }
    }

    long version = ModelReader.SCHEMA_VERSION;
    boolean identifier = true;
    final List<Integer> opcodes = new ArrayList<>();
    final List<byte[]> buffers = new ArrayList<>();   // null = a buffer without a data vector
    final List<RawTensor> tensors = new ArrayList<>();
    final List<RawOperator> operators = new ArrayList<>();
    int[] inputs;
    int[] outputs;
    /** Metadata entries: name and buffer index. */
    final List<Object[]> metadata = new ArrayList<>();

    static RawModel fullyConnected() {
        RawModel m = new RawModel();
        m.opcodes.add(BuiltinOperator.FULLY_CONNECTED);
        m.buffers.add(null);
        m.buffers.add(floats(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0));
        m.buffers.add(floats(0.5f, -0.5f, 2));
        m.tensors.add(new RawTensor("input", new int[] {1, 4}, 0));
        m.tensors.add(new RawTensor("weights", new int[] {3, 4}, 1));
        m.tensors.add(new RawTensor("bias", new int[] {3}, 2));
        m.tensors.add(new RawTensor("output", new int[] {1, 3}, 0));
        m.operators.add(new RawOperator(0, new int[] {0, 1, 2}, new int[] {3},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false)));
        m.inputs = new int[] {0};
        m.outputs = new int[] {3};
        return m;
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    byte[] toBytes() {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int[] bufferOffsets = new int[buffers.size()];
        for (int i = 0; i < bufferOffsets.length; i++) {
            int data = buffers.get(i) == null ? 0 : Buffer.createDataVector(b, buffers.get(i));
            Buffer.startBuffer(b);
            if (buffers.get(i) != null) {
                Buffer.addData(b, data);
            }
            bufferOffsets[i] = Buffer.endBuffer(b);
        }
        int[] tensorOffsets = new int[tensors.size()];
        for (int i = 0; i < tensorOffsets.length; i++) {
            RawTensor t = tensors.get(i);
            int shape = Tensor.createShapeVector(b, t.shape);
            int name = t.name == null ? 0 : b.createString(t.name);
            int quant = 0;
            if (t.scales != null || t.zeroPoints != null) {
                int scale = t.scales == null ? 0 : QuantizationParameters.createScaleVector(b, t.scales);
                int zp = t.zeroPoints == null ? 0 : QuantizationParameters.createZeroPointVector(b, t.zeroPoints);
                QuantizationParameters.startQuantizationParameters(b);
                if (scale != 0) {
                    QuantizationParameters.addScale(b, scale);
                }
                if (zp != 0) {
                    QuantizationParameters.addZeroPoint(b, zp);
                }
                QuantizationParameters.addQuantizedDimension(b, t.quantizedDimension);
                quant = QuantizationParameters.endQuantizationParameters(b);
            }
            Tensor.startTensor(b);
            Tensor.addShape(b, shape);
            Tensor.addType(b, t.type);
            Tensor.addBuffer(b, t.buffer);
            if (name != 0) {
                Tensor.addName(b, name);
            }
            if (quant != 0) {
                Tensor.addQuantization(b, quant);
            }
            tensorOffsets[i] = Tensor.endTensor(b);
        }
        int[] operatorOffsets = new int[operators.size()];
        for (int i = 0; i < operatorOffsets.length; i++) {
            RawOperator op = operators.get(i);
            int options = op.options == null ? 0 : OptionsCodec.write(b, op.options);
            int in = Operator.createInputsVector(b, op.inputs);
            int out = Operator.createOutputsVector(b, op.outputs);
            Operator.startOperator(b);
            Operator.addOpcodeIndex(b, op.opcodeIndex);
            Operator.addInputs(b, in);
            Operator.addOutputs(b, out);
            if (op.optionsType != 0) {
                Operator.addBuiltinOptionsType(b, (byte) op.optionsType);
            }
            if (options != 0) {
                Operator.addBuiltinOptions(b, options);
            }
            operatorOffsets[i] = Operator.endOperator(b);
        }
        int[] codeOffsets = new int[opcodes.size()];
        for (int i = 0; i < codeOffsets.length; i++) {
            int code = opcodes.get(i);
            codeOffsets[i] = OperatorCode.createOperatorCode(b, (byte) Math.min(code, 127), 0, 1, code);
        }
        int subgraph = SubGraph.createSubGraph(b, SubGraph.createTensorsVector(b, tensorOffsets),
                SubGraph.createInputsVector(b, inputs), SubGraph.createOutputsVector(b, outputs),
                SubGraph.createOperatorsVector(b, operatorOffsets), 0);
        int[] metadataOffsets = new int[metadata.size()];
        for (int i = 0; i < metadataOffsets.length; i++) {
            metadataOffsets[i] = io.qbridge.tflite.schema.Metadata.createMetadata(b,
                    b.createString((String) metadata.get(i)[0]), (Long) metadata.get(i)[1]);
        }
        int model = Model.createModel(b, version, Model.createOperatorCodesVector(b, codeOffsets),
                Model.createSubgraphsVector(b, new int[] {subgraph}), 0,
                Model.createBuffersVector(b, bufferOffsets), 0,
                metadataOffsets.length == 0 ? 0 : Model.createMetadataVector(b, metadataOffsets), 0);
        if (identifier) {
            Model.finishModelBuffer(b, model);
        } else {
            b.finish(model);
        }
        return b.sizedByteArray();
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(toBytes());
    }
}
