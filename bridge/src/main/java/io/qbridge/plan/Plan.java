package io.qbridge.plan;

import io.qbridge.graph.Graph;

import java.util.List;

/**
 * The contract between Java and every backend: the operators in execution order with their
 * prepared parameters, and one arena holding every non-constant tensor at a fixed byte offset.
 * Immutable; computed once per model by {@link Planner}.
 */
public final class Plan {
    /** Arena offsets are multiples of this, so that native kernels may use aligned vector loads. */
    public static final int ALIGNMENT = 64;

    private final Graph graph;
    private final List<PlannedOp> ops;
    private final long[] offsets;
    private final long arenaBytes;
    private final long arenaLowerBound;

    Plan(Graph graph, List<PlannedOp> ops, long[] offsets, long arenaBytes, long arenaLowerBound) {
        this.graph = graph;
        this.ops = List.copyOf(ops);
        this.offsets = offsets;
        this.arenaBytes = arenaBytes;
        this.arenaLowerBound = arenaLowerBound;
    }

    public Graph graph() {
        return graph;
    }

    public List<PlannedOp> ops() {
        return ops;
    }

    /** Byte offset of a tensor in the arena; -1 for constants and tensors no op uses. */
    public long offset(int tensorIndex) {
        return offsets[tensorIndex];
    }

    /** The arena's size in bytes. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /**
     * The least any placement could use: the largest total size of the tensors alive at once
     * (before alignment).
     */
    public long arenaLowerBound() {
        return arenaLowerBound;
    }

    /** Multiply-accumulates of one inference. */
    public long macs() {
        long m = 0;
        for (PlannedOp op : ops) {
            m += op.macs();
        }
        return m;
    }
}
