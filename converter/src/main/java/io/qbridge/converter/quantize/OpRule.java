package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.ConversionException;
import io.qbridge.converter.InferenceType;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the quantizer treats each operator it can quantize: the role of each input, how the output's
 * parameters are chosen, and the op version that the TFLite runtime needs for int8.
 */
public record OpRule(Input[] inputs, Output output, int int8Version) {

    /** Role of an operator input. */
    public enum Input {
        /** A value with its own per-tensor parameters (a constant one is quantized from its own range). */
        ACTIVATION,
        /** Weights of CONV_2D / FULLY_CONNECTED: per channel on axis 0 in int8. */
        WEIGHTS_AXIS0,
        /** Weights of DEPTHWISE_CONV_2D: per channel on axis 3 in int8. */
        WEIGHTS_AXIS3,
        /** int32 bias, scale input_scale * weight_scale. */
        BIAS,
        /** Must have the output's parameters (CONCATENATION inputs, PADV2's pad value). */
        SHARED,
        /** Not a quantized value (shapes, axes, paddings): left as it is. */
        KEEP
    }

    /** How the output's parameters are chosen. */
    public enum Output {
        /** From the output's own range. */
        OWN,
        /** The same as input 0's (TFLite requires it for pooling, reshape, pad, concatenation...). */
        SAME_AS_INPUT,
        /** Fixed by the spec: 1/256 (SOFTMAX, LOGISTIC). */
        FIXED_1_256,
        /** Fixed by the spec: 1/128 centred (TANH). */
        FIXED_1_128
    }

    /** Role of input i (the last role repeats for variadic ops). */
    public Input input(int i) {
        return inputs[Math.min(i, inputs.length - 1)];
    }

    /** The fixed output parameters of FIXED outputs in {@code type}, else null. */
    public QuantParams fixedOutput(DataType type) {
        switch (output) {
            case FIXED_1_256:
                return QuantParams.perTensor(1f / 256, type == DataType.INT8 ? -128 : 0);
            case FIXED_1_128:
                return QuantParams.perTensor(1f / 128, type == DataType.INT8 ? 0 : 128);
            default:
                return null;
        }
    }

    private static final Map<Integer, OpRule> RULES = new HashMap<>();

    private static void rule(int code, Output out, int int8Version, Input... in) {
        RULES.put(code, new OpRule(in, out, int8Version));
    }

    static {
        Input a = Input.ACTIVATION;
        Input k = Input.KEEP;
        rule(BuiltinOperator.CONV_2D, Output.OWN, 3, a, Input.WEIGHTS_AXIS0, Input.BIAS);
        rule(BuiltinOperator.DEPTHWISE_CONV_2D, Output.OWN, 3, a, Input.WEIGHTS_AXIS3, Input.BIAS);
        rule(BuiltinOperator.FULLY_CONNECTED, Output.OWN, 4, a, Input.WEIGHTS_AXIS0, Input.BIAS);
        rule(BuiltinOperator.AVERAGE_POOL_2D, Output.SAME_AS_INPUT, 2, a);
        rule(BuiltinOperator.MAX_POOL_2D, Output.SAME_AS_INPUT, 2, a);
        rule(BuiltinOperator.RESHAPE, Output.SAME_AS_INPUT, 1, a, k);
        rule(BuiltinOperator.SQUEEZE, Output.SAME_AS_INPUT, 1, a);
        rule(BuiltinOperator.PAD, Output.SAME_AS_INPUT, 2, a, k);
        rule(BuiltinOperator.PADV2, Output.SAME_AS_INPUT, 2, a, k, Input.SHARED);
        rule(BuiltinOperator.CONCATENATION, Output.SAME_AS_INPUT, 2, Input.SHARED);
        rule(BuiltinOperator.MEAN, Output.OWN, 2, a, k);
        rule(BuiltinOperator.SOFTMAX, Output.FIXED_1_256, 2, a);
        rule(BuiltinOperator.LOGISTIC, Output.FIXED_1_256, 2, a);
        rule(BuiltinOperator.TANH, Output.FIXED_1_128, 2, a);
        rule(BuiltinOperator.RELU, Output.OWN, 2, a);
        rule(BuiltinOperator.RELU6, Output.OWN, 2, a);
        rule(BuiltinOperator.RELU_N1_TO_1, Output.OWN, 2, a);
        rule(BuiltinOperator.ADD, Output.OWN, 2, a, a);
        rule(BuiltinOperator.SUB, Output.OWN, 2, a, a);
        rule(BuiltinOperator.MUL, Output.OWN, 2, a, a);
    }

    /** The rule of a builtin op, or null when the quantizer cannot quantize it. */
    public static OpRule of(int builtinCode) {
        return RULES.get(builtinCode);
    }

    /**
     * Refuses, all at once, the ops the quantizer cannot quantize: ops without a rule, integer inputs
     * or outputs, and weights or biases that are not constants.
     *
     * @param type only named in the message
     */
    public static void requireSupported(Graph g, InferenceType type) {
        Map<String, List<Integer>> unsupported = new LinkedHashMap<>();
        for (Operator op : g.operators()) {
            OpRule rule = of(op.builtinCode());
            String problem = null;
            if (rule == null) {
                problem = op.opName();
            } else {
                for (int k = 0; k < op.inputCount() && problem == null; k++) {
                    int t = op.input(k);
                    if (t < 0) {
                        continue;
                    }
                    TensorSpec spec = g.tensor(t);
                    Input role = rule.input(k);
                    if (role == Input.KEEP) {
                        continue;
                    }
                    if (spec.type() != DataType.FLOAT32) {
                        problem = op.opName() + " with a " + spec.type() + " input " + k;
                    } else if (!spec.isConstant() && role != Input.ACTIVATION && role != Input.SHARED) {
                        problem = op.opName() + " with non-constant " + (role == Input.BIAS ? "bias" : "weights");
                    }
                }
                for (int k = 0; k < op.outputCount() && problem == null; k++) {
                    if (g.tensor(op.output(k)).type() != DataType.FLOAT32) {
                        problem = op.opName() + " with a " + g.tensor(op.output(k)).type() + " output";
                    }
                }
            }
            if (problem != null) {
                unsupported.computeIfAbsent(problem, x -> new ArrayList<>()).add(op.index());
            }
        }
        if (!unsupported.isEmpty()) {
            List<String> list = new ArrayList<>();
            unsupported.forEach((what, where) -> list.add(what + " (operator" + (where.size() > 1 ? "s " : " ")
                    + String.join(", ", where.stream().map(String::valueOf).toList()) + ")"));
            throw new ConversionException("cannot quantize this model to " + type
                    + ", it has operators the quantizer does not support", list);
        }
    }
}
