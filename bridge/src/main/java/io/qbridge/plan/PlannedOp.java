package io.qbridge.plan;

import io.qbridge.graph.Operator;

/**
 * One step of a {@link Plan}: the graph operator, its prepared parameters and its cost in
 * multiply-accumulates (0 for data movement).
 */
public record PlannedOp(Operator op, OpParams params, long macs) {
    /** Tensor index of the op's input i (-1 when omitted). */
    public int input(int i) {
        return op.input(i);
    }

    public int output(int i) {
        return op.output(i);
    }

    public String describe() {
        return "operator " + op.index() + " (" + op.opName() + ")";
    }
}
