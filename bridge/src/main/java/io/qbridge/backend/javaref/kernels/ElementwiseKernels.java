package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ElementwiseOps.AddParams;
import io.qbridge.plan.ops.ElementwiseOps.Broadcast;
import io.qbridge.plan.ops.ElementwiseOps.MulParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;
import static io.qbridge.backend.javaref.KernelContext.INTS;

/**
 * ADD and MUL for float32, int32, uint8 and int8 with broadcasting, as TFLite's reference kernels
 * (reference/add.h, integer_ops/add.h, reference/mul.h, integer_ops/mul.h).
 *
 * <p>The output is walked in rows of its last (merged) dimension; along a row each input either
 * advances by one element or stays put (broadcast). Threads split the rows, or the elements when
 * there is one row. 8-bit ADD looks each input's rescaled value up in the plan's 256-entry tables,
 * then rescales the sum.
 */
final class ElementwiseKernels {
    private static final int MIN_ELEMENTS_PER_THREAD = 16_384;

    private ElementwiseKernels() {
    }

    /** One span of {@code n} output elements; in1/in2/out are element indices. */
    @FunctionalInterface
    private interface Span {
        void run(int in1, int step1, int in2, int step2, int out, int n);
    }

    /** Both inputs' bytes (arena or constant) and the output's place in the arena. */
    private record Operands(byte[] a, int aOffset, byte[] b, int bOffset, byte[] out, int outOffset) {
        static Operands of(PlannedOp op, KernelContext ctx) {
            InputBytes in1 = InputBytes.of(op, 0, ctx);
            InputBytes in2 = InputBytes.of(op, 1, ctx);
            return new Operands(in1.array(), in1.offset(), in2.array(), in2.offset(), ctx.arena(),
                    ctx.offset(op.output(0)));
        }
    }

    static JavaKernel add(PlannedOp op, KernelContext ctx) {
        AddParams p = (AddParams) op.params();
        Operands io = Operands.of(op, ctx);
        byte[] a = io.a(), b = io.b(), o = io.out();
        int ao = io.aOffset(), bo = io.bOffset(), outBase = io.outOffset();
        Span span;
        switch (p.type()) {
            case FLOAT32: {
                float lo = p.actMinF();
                float hi = p.actMaxF();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        float x = (float) FLOATS.get(a, ao + (i1 + k * s1) * 4)
                                + (float) FLOATS.get(b, bo + (i2 + k * s2) * 4);
                        FLOATS.set(o, outBase + (out + k) * 4, clamp(x, lo, hi));
                    }
                };
                break;
            }
            case INT32: {
                int lo = p.actMin();
                int hi = p.actMax();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        int x = (int) INTS.get(a, ao + (i1 + k * s1) * 4)
                                + (int) INTS.get(b, bo + (i2 + k * s2) * 4);
                        INTS.set(o, outBase + (out + k) * 4, Math.min(hi, Math.max(lo, x)));
                    }
                };
                break;
            }
            default: {
                int[] scaled1 = p.input1Rescaled();
                int[] scaled2 = p.input2Rescaled();
                int mult = p.outputMultiplier();
                int shift = p.outputShift();
                int offset = p.outputOffset();
                int lo = p.actMin();
                int hi = p.actMax();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        int sum = scaled1[a[ao + i1 + k * s1] & 0xFF] + scaled2[b[bo + i2 + k * s2] & 0xFF];
                        int r = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOneExp(sum, mult, shift) + offset;
                        o[outBase + out + k] = (byte) Math.min(hi, Math.max(lo, r));
                    }
                };
            }
        }
        return loop(p.broadcast(), span, ctx.parallel());
    }

    static JavaKernel mul(PlannedOp op, KernelContext ctx) {
        MulParams p = (MulParams) op.params();
        Operands io = Operands.of(op, ctx);
        byte[] a = io.a(), b = io.b(), o = io.out();
        int ao = io.aOffset(), bo = io.bOffset(), outBase = io.outOffset();
        Span span;
        switch (p.type()) {
            case FLOAT32: {
                float lo = p.actMinF();
                float hi = p.actMaxF();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        float x = (float) FLOATS.get(a, ao + (i1 + k * s1) * 4)
                                * (float) FLOATS.get(b, bo + (i2 + k * s2) * 4);
                        FLOATS.set(o, outBase + (out + k) * 4, clamp(x, lo, hi));
                    }
                };
                break;
            }
            case INT32: {
                int lo = p.actMin();
                int hi = p.actMax();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        int x = (int) INTS.get(a, ao + (i1 + k * s1) * 4)
                                * (int) INTS.get(b, bo + (i2 + k * s2) * 4);
                        INTS.set(o, outBase + (out + k) * 4, Math.min(hi, Math.max(lo, x)));
                    }
                };
                break;
            }
            default: {
                int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
                int off1 = p.input1Offset();
                int off2 = p.input2Offset();
                int mult = p.outputMultiplier();
                int shift = p.outputShift();
                int offset = p.outputOffset();
                int lo = p.actMin();
                int hi = p.actMax();
                span = (i1, s1, i2, s2, out, n) -> {
                    for (int k = 0; k < n; k++) {
                        int x = ((a[ao + i1 + k * s1] & mask) + off1) * ((b[bo + i2 + k * s2] & mask) + off2);
                        int r = FixedPoint.multiplyByQuantizedMultiplier(x, mult, shift) + offset;
                        o[outBase + out + k] = (byte) Math.min(hi, Math.max(lo, r));
                    }
                };
            }
        }
        return loop(p.broadcast(), span, ctx.parallel());
    }

    /** std::min(std::max(x, lo), hi) exactly as C++ evaluates it (NaN passes through, -0 stays -0). */
    static float clamp(float x, float lo, float hi) {
        float y = x < lo ? lo : x;
        return hi < y ? hi : y;
    }

    /** Drives a span function over the broadcast geometry, split across threads. */
    private static JavaKernel loop(Broadcast g, Span span, Parallel par) {
        int[] shape = g.outShape();
        int rank = shape.length;
        int inner = shape[rank - 1];
        int step1 = g.stride1()[rank - 1];
        int step2 = g.stride2()[rank - 1];
        int count = g.elementCount();
        if (count == 0) {
            return () -> { };
        }
        if (rank == 1) {
            return () -> par.forRange(inner, MIN_ELEMENTS_PER_THREAD,
                    (e0, e1) -> span.run(e0 * step1, step1, e0 * step2, step2, e0, e1 - e0));
        }
        int rows = count / inner;
        int[] stride1 = g.stride1();
        int[] stride2 = g.stride2();
        int minRows = Math.max(1, MIN_ELEMENTS_PER_THREAD / inner);
        return () -> par.forRange(rows, minRows, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int rest = row;
                int i1 = 0;
                int i2 = 0;
                for (int d = rank - 2; d >= 0; d--) {
                    int idx = rest % shape[d];
                    rest /= shape[d];
                    i1 += idx * stride1[d];
                    i2 += idx * stride2[d];
                }
                span.run(i1, step1, i2, step2, row * inner, inner);
            }
        });
    }
}
