package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.PlannedOp;

/**
 * Where a kernel reads one input: the arena at the tensor's offset, or, for a constant (a weight,
 * a shape, the constant side of an ADD), a private copy of its bytes made once at compile time.
 * Either way the kernel reads a byte[] from an offset, with one code path.
 */
record InputBytes(byte[] array, int offset) {
    static InputBytes of(PlannedOp op, int inputIndex, KernelContext ctx) {
        int t = op.input(inputIndex);
        TensorSpec spec = ctx.plan().graph().tensor(t);
        if (spec.isConstant()) {
            return new InputBytes(KernelContext.bytes(spec), 0);
        }
        return new InputBytes(ctx.arena(), ctx.offset(t));
    }
}
