package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * QUANTIZE/DEQUANTIZE ops at the model's inputs and outputs where the requested input/output types
 * differ from the activation type. The outside tensor of an edge keeps the original name (users find
 * inputs and outputs by name); the inside tensor is renamed.
 */
final class ModelEdges {
    private final EditableGraph e;
    private final DataType type;

    private ModelEdges(EditableGraph e, DataType type) {
        this.e = e;
        this.type = type;
    }

    /**
     * @param inputType  null: the activation type
     * @param outputType null: the activation type
     */
    static void add(EditableGraph e, DataType type, DataType inputType, DataType outputType, FloatLayers floatLayers,
                    ActivationParams params) {
        ModelEdges edges = new ModelEdges(e, type);
        edges.addInputs(inputType == null ? type : inputType, floatLayers, params);
        edges.addOutputs(outputType == null ? type : outputType);
    }

    private void addInputs(DataType want, FloatLayers floatLayers, ActivationParams params) {
        int[] inputs = e.inputs();
        List<EditableGraph.Op> prologue = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            int t = inputs[i];
            if (floatLayers.isFloatTensor(t)) {
                if (want != DataType.FLOAT32) {
                    // An integer input read by float ops: dequantized first.
                    TensorSpec in = e.tensor(t);
                    QuantParams p = params.of(t);
                    if (want != type) {
                        p = QuantParams.perTensor(p.scale(), p.zeroPoint() + (want == DataType.UINT8 ? 128 : -128));
                    }
                    int outer = e.addTensor(in.name(), want, in.shape(), p, null);
                    e.setTensor(t, new TensorSpec(t, in.name() + "/float", in.type(), in.shape(), in.quant(), null, false));
                    prologue.add(new EditableGraph.Op(BuiltinOperator.DEQUANTIZE, null, want == DataType.INT8 ? 2 : 1,
                            new int[] {outer}, new int[] {t}, new OpOptions.Dequantize()));
                    inputs[i] = outer;
                }
                continue;
            }
            if (want == type) {
                continue;
            }
            int outer = outsideTensor(t, want);
            prologue.add(new EditableGraph.Op(BuiltinOperator.QUANTIZE, null, want == DataType.FLOAT32 ? 1 : 2,
                    new int[] {outer}, new int[] {t}, new OpOptions.Quantize()));
            inputs[i] = outer;
        }
        e.ops().addAll(0, prologue);
        e.setInputs(inputs);
    }

    private void addOutputs(DataType want) {
        int[] outputs = e.outputs();
        for (int i = 0; i < outputs.length; i++) {
            int t = outputs[i];
            if (want == type) {
                continue;
            }
            int outer = outsideTensor(t, want);
            if (want == DataType.FLOAT32) {
                e.ops().add(new EditableGraph.Op(BuiltinOperator.DEQUANTIZE, null, type == DataType.INT8 ? 2 : 1,
                        new int[] {t}, new int[] {outer}, new OpOptions.Dequantize()));
            } else {
                e.ops().add(new EditableGraph.Op(BuiltinOperator.QUANTIZE, null, 2, new int[] {t}, new int[] {outer},
                        new OpOptions.Quantize()));
            }
            outputs[i] = outer;
        }
        e.setOutputs(outputs);
    }

    /**
     * A new tensor outside {@code inside}, with its name; a uint8/int8 edge has the same scale and a
     * zero point shifted by 128.
     */
    private int outsideTensor(int inside, DataType want) {
        TensorSpec in = e.tensor(inside);
        QuantParams p = QuantParams.NONE;
        if (want != DataType.FLOAT32) {
            int shift = want == DataType.UINT8 ? 128 : -128;
            p = QuantParams.perTensor(in.quant().scale(), in.quant().zeroPoint() + shift);
        }
        int outer = e.addTensor(in.name(), want, in.shape(), p, null);
        e.setTensor(inside, new TensorSpec(inside, in.name() + "/" + type.name().toLowerCase(Locale.ROOT),
                in.type(), in.shape(), in.quant(), null, false));
        return outer;
    }
}
