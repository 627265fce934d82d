package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.ConversionException;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.PrepareContext;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Mixed precision ({@code --float-layers N}): the first N CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED
 * and every op before the last of them stay float (the layers whose activation rounding the rest of
 * the network amplifies most), with QUANTIZE/DEQUANTIZE where float and quantized parts meet.
 */
final class FloatLayers {
    private final Graph g;
    /** Operators (by index in g) that stay float. */
    private final Set<Integer> ops = new HashSet<>();
    /** Tensors computed in float: outputs of float ops, their constants, and inputs only float ops read. */
    private final Set<Integer> tensors = new HashSet<>();

    private FloatLayers(Graph g) {
        this.g = g;
    }

    /**
     * @param layers 0: every op is quantized
     * @throws ConversionException when the model has fewer layers, or a graph output would be float
     */
    static FloatLayers choose(Graph g, int layers) {
        FloatLayers f = new FloatLayers(g);
        if (layers > 0) {
            f.chooseOps(layers);
        }
        return f;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    int opCount() {
        return ops.size();
    }

    boolean isFloatOp(int opIndex) {
        return ops.contains(opIndex);
    }

    boolean isFloatTensor(int t) {
        return tensors.contains(t);
    }

    /** The float ops as objects of {@code e}, an editable copy of g not yet edited (indices still match). */
    List<EditableGraph.Op> opsIn(EditableGraph e) {
        List<EditableGraph.Op> list = new ArrayList<>();
        for (int i : ops) {
            list.add(e.ops().get(i));
        }
        return list;
    }

    private void chooseOps(int floatLayers) {
        int layers = 0;
        int last = -1;
        for (Operator op : g.operators()) {
            int c = op.builtinCode();
            if (c == BuiltinOperator.CONV_2D || c == BuiltinOperator.DEPTHWISE_CONV_2D
                    || c == BuiltinOperator.FULLY_CONNECTED) {
                layers++;
                if (layers == floatLayers) {
                    last = op.index();
                    break;
                }
            }
        }
        if (last < 0) {
            throw new ConversionException("cannot keep layers float", List.of("--float-layers " + floatLayers
                    + " but the model has " + layers + " CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED layers"));
        }
        for (int i = 0; i <= last; i++) {
            Operator op = g.operators().get(i);
            ops.add(i);
            for (int k = 0; k < op.outputCount(); k++) {
                tensors.add(op.output(k));
            }
            for (int k = 0; k < op.inputCount(); k++) {
                if (op.input(k) >= 0 && g.tensor(op.input(k)).isConstant()) {
                    tensors.add(op.input(k));   // weights and other constants of float ops stay float
                }
            }
        }
        for (int t : g.inputs()) {
            boolean onlyFloatReaders = true;
            for (Operator op : g.operators()) {
                for (int k = 0; k < op.inputCount(); k++) {
                    if (op.input(k) == t && !ops.contains(op.index())) {
                        onlyFloatReaders = false;
                    }
                }
            }
            if (onlyFloatReaders) {
                tensors.add(t);
            }
        }
        for (int t : g.outputs()) {
            if (tensors.contains(t)) {
                throw new ConversionException("cannot keep layers float", List.of("graph output "
                        + PrepareContext.describe(g.tensor(t)) + " would be float; use fewer --float-layers"));
            }
        }
    }

    /**
     * QUANTIZE where a float-computed tensor feeds a quantized op, DEQUANTIZE where a quantized tensor
     * feeds a float op; each inserted just before the first op that needs it.
     *
     * @param floatOps {@link #opsIn} of {@code e} before it was edited
     */
    void addBoundaries(EditableGraph e, List<EditableGraph.Op> floatOps, DataType type, ActivationParams params) {
        Map<Integer, Integer> converted = new HashMap<>();
        for (int i = 0; i < e.ops().size(); i++) {
            EditableGraph.Op op = e.ops().get(i);
            boolean isFloat = floatOps.contains(op);
            if (op.code == BuiltinOperator.QUANTIZE || op.code == BuiltinOperator.DEQUANTIZE) {
                continue;
            }
            for (int k = 0; k < op.inputs.length; k++) {
                int t = op.inputs[k];
                if (t < 0 || t >= g.tensors().size() || g.tensor(t).isConstant()
                        || g.tensor(t).type() != DataType.FLOAT32) {
                    continue;
                }
                boolean tensorFloat = tensors.contains(t);
                if (isFloat == tensorFloat) {
                    continue;
                }
                Integer c = converted.get(t);
                if (c == null) {
                    TensorSpec spec = g.tensor(t);
                    if (isFloat) {
                        c = e.addTensor(spec.name() + "/float", DataType.FLOAT32, spec.shape(), QuantParams.NONE, null);
                        e.ops().add(i, new EditableGraph.Op(BuiltinOperator.DEQUANTIZE, null,
                                type == DataType.INT8 ? 2 : 1, new int[] {t}, new int[] {c}, new OpOptions.Dequantize()));
                    } else {
                        c = e.addTensor(spec.name() + "/" + type.name().toLowerCase(Locale.ROOT), type,
                                spec.shape(), params.of(t), null);
                        e.ops().add(i, new EditableGraph.Op(BuiltinOperator.QUANTIZE, null,
                                type == DataType.INT8 ? 2 : 1, new int[] {t}, new int[] {c}, new OpOptions.Quantize()));
                    }
                    converted.put(t, c);
                    i++;
                }
                op.inputs[k] = c;
            }
        }
    }
}
