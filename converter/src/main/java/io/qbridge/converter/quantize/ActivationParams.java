package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.ConversionException;
import io.qbridge.converter.graph.Constants;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.PrepareContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-tensor parameters of every 8-bit value of the quantized graph (activations, and constants
 * that ops read as activations). Tensors that TFLite requires to share parameters (an op's input and
 * output where {@link OpRule.Output#SAME_AS_INPUT}, {@link OpRule.Input#SHARED} inputs) form one
 * group; a group's parameters are fixed (by the spec, a FAKE_QUANT op or the input's mean/std) or
 * come from the union of its members' ranges.
 */
final class ActivationParams {
    private final Graph g;
    private final DataType type;
    /** Union-find over tensor indices: following parent links from a tensor reaches its group's root. */
    private final int[] parent;
    private final Map<Integer, QuantParams> groupParams = new HashMap<>();
    private final Set<Integer> values;

    private ActivationParams(Graph g, DataType type) {
        this.g = g;
        this.type = type;
        this.parent = new int[g.tensors().size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        this.values = groupValues();
    }

    /**
     * Groups the values of {@code g} (every op must have an {@link OpRule}) and chooses each group's
     * parameters; notes default ranges and fixed parameters that clip observed values.
     *
     * @param calibrated observed ranges, by tensor
     * @throws ConversionException when parameters conflict or a value has no range
     */
    static ActivationParams choose(Graph g, Map<Integer, Range> calibrated, RangeHints hints, Quantizer.Options o,
                                   List<String> notes) {
        ActivationParams p = new ActivationParams(g, o.type().activationType());
        p.chooseParams(calibrated, hints, o, notes);
        return p;
    }

    /** Tensors that become 8-bit values with per-tensor parameters, in the order they were found. */
    Set<Integer> values() {
        return values;
    }

    /** The parameters of value {@code t} (those of its group). */
    QuantParams of(int t) {
        return groupParams.get(find(t));
    }

    private Set<Integer> groupValues() {
        Set<Integer> values = new LinkedHashSet<>();
        for (int t : g.inputs()) {
            if (g.tensor(t).type() == DataType.FLOAT32) {
                values.add(t);
            }
        }
        for (Operator op : g.operators()) {
            OpRule rule = OpRule.of(op.builtinCode());
            for (int k = 0; k < op.inputCount(); k++) {
                int t = op.input(k);
                OpRule.Input role = rule.input(k);
                if (t >= 0 && (role == OpRule.Input.ACTIVATION || role == OpRule.Input.SHARED)) {
                    values.add(t);
                }
                if (t >= 0 && role == OpRule.Input.SHARED) {
                    union(t, op.output(0));
                }
            }
            values.add(op.output(0));
            if (rule.output() == OpRule.Output.SAME_AS_INPUT) {
                union(op.input(0), op.output(0));
            }
        }
        return values;
    }

    private void chooseParams(Map<Integer, Range> calibrated, RangeHints hints, Quantizer.Options o,
                              List<String> notes) {
        Map<Integer, QuantParams> fixed = new HashMap<>();
        Map<Integer, String> fixedBy = new HashMap<>();
        Map<Integer, Range> ranges = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Operator op : g.operators()) {
            QuantParams f = OpRule.of(op.builtinCode()).fixedOutput(type);
            if (f != null) {
                fix(fixed, fixedBy, op.output(0), f, op.opName() + " output", problems);
            }
        }
        for (int t : values) {
            OpOptions.FakeQuant fq = hints.fakeQuant(t);
            if (fq != null && !g.tensor(t).isConstant()) {
                fix(fixed, fixedBy, t, AffineParams.fromFakeQuant(fq.min(), fq.max(), fq.narrowRange(), type),
                        "FAKE_QUANT", problems);
            }
        }
        if (o.inputMean() != null && o.inputStd() != null && o.inputType() != DataType.FLOAT32) {
            for (int t : g.inputs()) {
                fix(fixed, fixedBy, t, AffineParams.fromMeanStd(o.inputMean(), o.inputStd(), type), "mean/std",
                        problems);
            }
        }
        for (int t : values) {
            TensorSpec spec = g.tensor(t);
            Range r;
            if (spec.isConstant()) {
                r = dataRange(Constants.floats(spec));
            } else if (hints.recorded(t) != null) {
                r = hints.recorded(t);
            } else {
                r = calibrated.get(t);
            }
            if (r != null) {
                ranges.merge(find(t), r, Range::union);
            }
        }
        List<String> missing = new ArrayList<>();
        for (int t : values) {
            int root = find(t);
            if (groupParams.containsKey(root)) {
                continue;
            }
            QuantParams p = fixed.get(root);
            if (p == null) {
                Range r = ranges.get(root);
                if (r == null) {
                    if (o.defaultRange() == null) {
                        missing.add(PrepareContext.describe(g.tensor(t)));
                        continue;
                    }
                    r = o.defaultRange();
                    notes.add("default range " + r + " for " + PrepareContext.describe(g.tensor(t)));
                }
                p = AffineParams.fromRange(r, type);
            } else if (ranges.containsKey(root)) {
                Range need = ranges.get(root);
                Range have = AffineParams.representable(p, type);
                float step = p.scale();   // clipping within one step is ordinary rounding
                if (need.min() < have.min() - step || need.max() > have.max() + step) {
                    notes.add(PrepareContext.describe(g.tensor(t)) + " has fixed parameters ("
                            + fixedBy.get(root) + ") covering " + have + " but values in " + need + " were seen");
                }
            }
            groupParams.put(root, p);
        }
        if (!missing.isEmpty()) {
            problems.add("no range for " + String.join(", ", missing)
                    + " (calibrate, or give a default range)");
        }
        if (!problems.isEmpty()) {
            throw new ConversionException("cannot choose quantization parameters", problems);
        }
    }

    private void fix(Map<Integer, QuantParams> fixed, Map<Integer, String> fixedBy, int t, QuantParams p, String by,
                     List<String> problems) {
        int root = find(t);
        QuantParams old = fixed.get(root);
        if (old != null && !old.equals(p)) {
            problems.add(PrepareContext.describe(g.tensor(t)) + " must share parameters fixed by "
                    + fixedBy.get(root) + " (" + old + ") and by " + by + " (" + p + ")");
            return;
        }
        fixed.put(root, p);
        fixedBy.put(root, by);
    }

    /** The range of constant values, widened to hold 0. */
    private static Range dataRange(float[] v) {
        float min = 0;
        float max = 0;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return new Range(min, max);
    }

    private int find(int t) {
        while (parent[t] != t) {
            parent[t] = parent[parent[t]];
            t = parent[t];
        }
        return t;
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent[ra] = rb;
        }
    }
}
