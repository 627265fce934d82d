package io.qbridge.graph;

import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.Arrays;

/**
 * One operator of a {@link Graph}: a builtin op code (or CUSTOM with its name), the indices of its
 * input and output tensors (-1 marks an omitted optional input) and its options. Immutable.
 */
public final class Operator {
    private final int index;
    private final int builtinCode;
    private final String customCode;
    private final int version;
    private final int[] inputs;
    private final int[] outputs;
    private final OpOptions options;

    public Operator(int index, int builtinCode, String customCode, int version, int[] inputs, int[] outputs,
                    OpOptions options) {
        this.index = index;
        this.builtinCode = builtinCode;
        this.customCode = customCode;
        this.version = version;
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        this.options = options == null ? OpOptions.None.INSTANCE : options;
    }

    /** Position of the operator in execution order. */
    public int index() {
        return index;
    }

    /** TFLite's BuiltinOperator code ({@link BuiltinOperator}). */
    public int builtinCode() {
        return builtinCode;
    }

    /** The custom op's name when {@link #builtinCode()} is CUSTOM, else null. */
    public String customCode() {
        return customCode;
    }

    public int version() {
        return version;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int inputCount() {
        return inputs.length;
    }

    /** Tensor index of input i, or -1 when that optional input is omitted or absent. */
    public int input(int i) {
        return i < inputs.length ? inputs[i] : -1;
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public int outputCount() {
        return outputs.length;
    }

    public int output(int i) {
        return outputs[i];
    }

    public OpOptions options() {
        return options;
    }

    /** The op's name: the builtin name (CONV_2D, ...) or "CUSTOM(name)". */
    public String opName() {
        return opName(builtinCode, customCode);
    }

    public static String opName(int builtinCode, String customCode) {
        if (builtinCode == BuiltinOperator.CUSTOM) {
            return "CUSTOM(" + Printable.of(customCode) + ")";
        }
        try {
            return BuiltinOperator.name(builtinCode);
        } catch (IndexOutOfBoundsException e) {
            return "BUILTIN_" + builtinCode;
        }
    }

    /** A copy with other inputs/outputs/options (used by graph rewrites). */
    public Operator with(int newIndex, int[] newInputs, int[] newOutputs, OpOptions newOptions) {
        return new Operator(newIndex, builtinCode, customCode, version, newInputs, newOutputs, newOptions);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Operator)) {
            return false;
        }
        Operator p = (Operator) o;
        return index == p.index && builtinCode == p.builtinCode && version == p.version
                && java.util.Objects.equals(customCode, p.customCode) && Arrays.equals(inputs, p.inputs)
                && Arrays.equals(outputs, p.outputs) && options.equals(p.options);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + builtinCode) + Arrays.hashCode(inputs);
    }

    @Override
    public String toString() {
        return "operator " + index + " " + opName() + " in " + Arrays.toString(inputs) + " out "
                + Arrays.toString(outputs);
    }
}
