package io.qbridge.plan;

import io.qbridge.InvalidModelException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated {@link Graph} into a {@link Plan}: prepares every operator (reporting all
 * unsupported ones at once) and places the non-constant tensors in one arena by their lifetimes.
 */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(Graph graph) {
        return plan(graph, false);
    }

    /**
     * @param keepAllTensors give every tensor its own arena place, so that all intermediate
     *                       results stay readable after a run (calibration, debugging)
     */
    public static Plan plan(Graph modelGraph, boolean keepAllTensors) {
        Graph graph = ConstantDequantizeFolding.fold(modelGraph);
        // Every problem is collected before anything is thrown: a user deciding whether qbridge can
        // run a model needs every operator it lacks, even when another operator is also refused.
        Map<String, List<Integer>> unsupported = new LinkedHashMap<>();
        List<InvalidModelException> invalid = new ArrayList<>();
        List<PlannedOp> ops = new ArrayList<>();
        for (Operator op : graph.operators()) {
            OpPreparer preparer = OpRegistry.preparer(op.builtinCode());
            if (preparer == null) {
                unsupported.computeIfAbsent(op.opName(), k -> new ArrayList<>()).add(op.index());
                continue;
            }
            PrepareContext ctx = new PrepareContext(graph, op);
            try {
                OpParams params = preparer.prepare(ctx);
                ops.add(new PlannedOp(op, params, ctx.macs()));
            } catch (UnsupportedOpException e) {
                unsupported.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).add(op.index());
            } catch (InvalidModelException e) {
                invalid.add(e);
            }
        }
        List<String> problems = new ArrayList<>();
        unsupported.forEach((what, where) -> problems.add(what + " (operator" + (where.size() > 1 ? "s " : " ")
                + String.join(", ", where.stream().map(String::valueOf).toList()) + ")"));
        problems.addAll(unsizedGraphEdges(graph));
        if (!problems.isEmpty()) {
            invalid.forEach(e -> problems.add("also " + e.getMessage()));
            throw new UnsupportedModelException(problems);
        }
        if (!invalid.isEmpty()) {
            InvalidModelException first = invalid.get(0);
            for (int i = 1; i < invalid.size(); i++) {
                first.addSuppressed(invalid.get(i));
            }
            throw first;
        }
        long[] offsets = new long[graph.tensors().size()];
        Arrays.fill(offsets, -1);
        long[] sizes = ArenaPlanner.place(graph, offsets, keepAllTensors);
        return new Plan(graph, ops, offsets, sizes[0], sizes[1]);
    }

    /**
     * Graph inputs and outputs live in the arena and are copied in and out by size: a type without
     * a fixed element size (STRING, RESOURCE, VARIANT, INT4) cannot be one here.
     */
    private static List<String> unsizedGraphEdges(Graph graph) {
        List<String> problems = new ArrayList<>();
        int[][] edges = {graph.inputs(), graph.outputs()};
        for (int side = 0; side < 2; side++) {
            for (int k = 0; k < edges[side].length; k++) {
                TensorSpec t = graph.tensor(edges[side][k]);
                if (t.type().byteSize() < 0) {
                    problems.add("graph " + (side == 0 ? "input " : "output ") + k + " " + t + " has type "
                            + t.type() + ", which has no fixed size");
                }
            }
        }
        return problems;
    }

    /** Arena placement: TFLite's greedy-by-size strategy over tensor lifetimes. */
    static final class ArenaPlanner {
        private ArenaPlanner() {
        }

        /** Fills offsets; returns {arena bytes, lower bound}. */
        static long[] place(Graph graph, long[] offsets, boolean keepAllTensors) {
            int n = graph.tensors().size();
            int steps = graph.operators().size();
            int[] first = new int[n];
            int[] last = new int[n];
            Arrays.fill(first, Integer.MAX_VALUE);
            Arrays.fill(last, -1);
            // Inputs live through the whole run, as in TFLite's arena planner: a caller may run
            // again on the same input, or read it back, so no op may reuse its bytes.
            for (int in : graph.inputs()) {
                first[in] = -1;
                last[in] = steps;
            }
            for (Operator op : graph.operators()) {
                for (int k = 0; k < op.inputCount(); k++) {
                    int t = op.input(k);
                    if (t >= 0) {
                        last[t] = Math.max(last[t], op.index());
                    }
                }
                for (int k = 0; k < op.outputCount(); k++) {
                    int t = op.output(k);
                    first[t] = Math.min(first[t], op.index());
                    last[t] = Math.max(last[t], op.index());
                }
            }
            for (int out : graph.outputs()) {
                last[out] = steps;   // outputs stay readable after the last op
            }
            // Variable tensors (recurrent state) are TFLite's persistent memory: zeroed, placed for
            // the whole run and kept between runs, even where no operator writes them.
            for (TensorSpec t : graph.tensors()) {
                if (t.isVariable() && !t.isConstant()) {
                    first[t.index()] = -1;
                    last[t.index()] = steps;
                }
            }
            if (keepAllTensors) {
                for (int t = 0; t < n; t++) {
                    if (first[t] != Integer.MAX_VALUE) {
                        first[t] = -1;
                        last[t] = steps;
                    }
                }
            }
            List<Integer> live = new ArrayList<>();
            for (TensorSpec t : graph.tensors()) {
                if (!t.isConstant() && first[t.index()] != Integer.MAX_VALUE) {
                    live.add(t.index());
                }
            }
            // Lower bound: the most bytes alive at any one step.
            long lowerBound = 0;
            for (int step = -1; step <= steps; step++) {
                long alive = 0;
                for (int t : live) {
                    if (first[t] <= step && step <= last[t]) {
                        alive += graph.tensor(t).byteSize();
                    }
                }
                lowerBound = Math.max(lowerBound, alive);
            }
            // Greedy by size: biggest first, each at the lowest offset free during its lifetime.
            live.sort((a, b) -> Long.compare(graph.tensor(b).byteSize(), graph.tensor(a).byteSize()));
            List<Integer> placed = new ArrayList<>();
            long arena = 0;
            for (int t : live) {
                long size = align(Math.max(graph.tensor(t).byteSize(), 1));
                List<long[]> busy = new ArrayList<>();
                for (int p : placed) {
                    if (first[p] <= last[t] && first[t] <= last[p]) {
                        busy.add(new long[] {offsets[p], offsets[p] + align(Math.max(graph.tensor(p).byteSize(), 1))});
                    }
                }
                busy.sort((a, b) -> Long.compare(a[0], b[0]));
                long candidate = 0;
                for (long[] range : busy) {
                    if (candidate + size <= range[0]) {
                        break;
                    }
                    candidate = Math.max(candidate, range[1]);
                }
                offsets[t] = candidate;
                placed.add(t);
                arena = Math.max(arena, candidate + size);
            }
            return new long[] {arena, lowerBound};
        }

        private static long align(long bytes) {
            return (bytes + Plan.ALIGNMENT - 1) / Plan.ALIGNMENT * Plan.ALIGNMENT;
        }
    }
}
