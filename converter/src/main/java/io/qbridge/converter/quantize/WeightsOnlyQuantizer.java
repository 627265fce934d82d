package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights-only quantization: the float weights of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
 * become int8 constants (symmetric, per channel) read through a DEQUANTIZE op, as TFLite's converter
 * writes them; activations stay float. The runtime folds those DEQUANTIZE ops into float constants
 * when the model loads, so the model runs at float speed from a quarter of the file.
 */
public final class WeightsOnlyQuantizer {
    /** Weights smaller than this stay float: the DEQUANTIZE op would cost more than it saves. */
    static final int MIN_ELEMENTS = 64;

    private WeightsOnlyQuantizer() {
    }

    public static Quantizer.Result quantize(Graph g) {
        return quantize(g, null);
    }

    /** @param moments input channel moments for bias correction ({@link BiasCorrection}); null: none */
    public static Quantizer.Result quantize(Graph g, Map<Integer, ChannelMoments> moments) {
        int corrected = 0;
        EditableGraph e = new EditableGraph(g);
        Map<Integer, Integer> dequantized = new HashMap<>();
        List<EditableGraph.Op> prologue = new ArrayList<>();
        int count = 0;
        for (EditableGraph.Op op : e.ops()) {
            int axis;
            if (op.code == BuiltinOperator.CONV_2D || op.code == BuiltinOperator.FULLY_CONNECTED) {
                axis = 0;
            } else if (op.code == BuiltinOperator.DEPTHWISE_CONV_2D) {
                axis = 3;
            } else {
                continue;
            }
            int w = op.input(1);
            if (w < 0) {
                continue;
            }
            TensorSpec spec = g.tensor(w);
            if (!spec.isConstant() || spec.type() != DataType.FLOAT32 || spec.elementCount() < MIN_ELEMENTS) {
                continue;
            }
            Integer floatWeights = dequantized.get(w);
            if (floatWeights == null) {
                WeightQuantizer.Quantized q = WeightQuantizer.symmetricPerChannel(Constants.floats(spec), spec.shape(), axis);
                floatWeights = e.addTensor(spec.name() + "/dequantize", DataType.FLOAT32, spec.shape(),
                        io.qbridge.QuantParams.NONE, null);
                e.setTensor(w, DataType.INT8, q.params(), Constants.ofBytes(q.values()));
                prologue.add(new EditableGraph.Op(BuiltinOperator.DEQUANTIZE, null, 2, new int[] {w},
                        new int[] {floatWeights}, new OpOptions.Dequantize()));
                dequantized.put(w, floatWeights);
            }
            op.inputs[1] = floatWeights;
            count++;
            if (moments != null && moments.containsKey(op.input(0))
                    && correctBias(e, op, spec, w, moments.get(op.input(0)).mean())) {
                corrected++;
            }
        }
        e.ops().addAll(0, prologue);
        return new Quantizer.Result(e.build(), count, corrected == 0 ? List.of()
                : List.of("bias corrected for weight rounding in " + corrected + " layers"));
    }

    private static boolean correctBias(EditableGraph e, EditableGraph.Op op, TensorSpec floatWeights, int quantized,
                                       double[] means) {
        TensorSpec q = e.tensor(quantized);
        int[] values = new int[(int) q.elementCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = q.data().get(i);
        }
        int channels = floatWeights.dim(op.code == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0);
        int b = op.input(2);
        float[] bias = b >= 0 ? Constants.floats(e.tensor(b)) : new float[channels];
        float[] corrected = BiasCorrection.corrected(op.code, floatWeights.shape(), Constants.floats(floatWeights),
                BiasCorrection.dequantize(values, floatWeights.shape(), q.quant()), bias, means);
        if (corrected == null) {
            return false;
        }
        int nb = e.addTensor(b >= 0 ? e.tensor(b).name() : floatWeights.name() + "/bias", DataType.FLOAT32,
                new int[] {channels}, io.qbridge.QuantParams.NONE, Constants.of(corrected));
        if (op.inputs.length < 3) {
            op.inputs = java.util.Arrays.copyOf(op.inputs, 3);
        }
        op.inputs[2] = nb;
        return true;
    }
}
