package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ShapeOps.ConcatenationParams;
import io.qbridge.plan.ops.ShapeOps.PadParams;
import io.qbridge.plan.ops.ShapeOps.ReshapeParams;

/**
 * CONCATENATION, RESHAPE/SQUEEZE and PAD/PADV2 as TFLite's reference kernels
 * (reference/concatenation.h, reshape.cc, reference/pad.h): byte copies, plus the uint8
 * requantization of ConcatenationWithScaling.
 */
final class ShapeKernels {
    private static final int MIN_BYTES_PER_THREAD = 64 * 1024;

    private ShapeKernels() {
    }

    // ---------------------------------------------------------------- RESHAPE / SQUEEZE

    static JavaKernel reshape(PlannedOp op, KernelContext ctx) {
        ReshapeParams p = (ReshapeParams) op.params();
        InputBytes in = InputBytes.of(op, 0, ctx);
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        if (in.array() == arena && in.offset() == out) {
            return () -> { };   // the planner placed input and output together: nothing to move
        }
        return () -> System.arraycopy(in.array(), in.offset(), arena, out, p.byteCount());
    }

    // ---------------------------------------------------------------- CONCATENATION

    static JavaKernel concatenation(PlannedOp op, KernelContext ctx) {
        ConcatenationParams p = (ConcatenationParams) op.params();
        int n = p.inputRowElements().length;
        int elementSize = p.type().byteSize();
        byte[][] src = new byte[n][];
        int[] srcOffset = new int[n];
        int[] rowBytes = new int[n];
        int outRowBytes = 0;
        byte[][] table = p.requantizeTables();
        for (int i = 0; i < n; i++) {
            InputBytes in = InputBytes.of(op, i, ctx);
            src[i] = in.array();
            srcOffset[i] = in.offset();
            rowBytes[i] = p.inputRowElements()[i] * elementSize;
            outRowBytes += rowBytes[i];
        }
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        int rowBytesTotal = outRowBytes;
        Parallel par = ctx.parallel();
        int minRows = Math.max(1, MIN_BYTES_PER_THREAD / Math.max(1, rowBytesTotal));
        return () -> par.forRange(p.outerCount(), minRows, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int o = out + row * rowBytesTotal;
                for (int i = 0; i < n; i++) {
                    int s = srcOffset[i] + row * rowBytes[i];
                    byte[] t = table[i];
                    if (t == null) {
                        System.arraycopy(src[i], s, arena, o, rowBytes[i]);
                    } else {
                        byte[] a = src[i];
                        for (int k = 0; k < rowBytes[i]; k++) {
                            arena[o + k] = t[a[s + k] & 0xFF];
                        }
                    }
                    o += rowBytes[i];
                }
            }
        });
    }

    // ---------------------------------------------------------------- PAD / PADV2

    static JavaKernel pad(PlannedOp op, KernelContext ctx) {
        PadParams p = (PadParams) op.params();
        int es = p.type().byteSize();
        int[] inDims = p.inputShape();
        int[] outDims = p.outputShape();
        int[] padBefore = p.padBefore();
        int dims = outDims.length;
        InputBytes in = InputBytes.of(op, 0, ctx);
        byte[] src = in.array();
        int srcBase = in.offset();
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        long total = 1;
        for (int d : outDims) {
            total *= d;
        }
        if (total == 0) {
            return () -> { };
        }
        int outInner = outDims[dims - 1];
        int inInner = inDims[dims - 1];
        int beforeInner = padBefore[dims - 1];
        int rows = (int) (total / outInner);
        // Input element strides per dimension.
        int[] inStride = new int[dims];
        int s = 1;
        for (int d = dims - 1; d >= 0; d--) {
            inStride[d] = s;
            s *= inDims[d];
        }
        boolean inputEmpty = s == 0;
        // One output row of pad values, copied from where padding is needed.
        byte[] padRow = new byte[outInner * es];
        InputBytes dynamicPad = p.padValue() == null ? InputBytes.of(op, 2, ctx) : null;
        if (dynamicPad == null) {
            fillPattern(padRow, p.padValue());
        }
        Parallel par = ctx.parallel();
        int minRows = Math.max(1, MIN_BYTES_PER_THREAD / Math.max(1, outInner * es));
        byte[] element = new byte[es];
        return () -> {
            if (dynamicPad != null) {
                System.arraycopy(dynamicPad.array(), dynamicPad.offset(), element, 0, es);
                fillPattern(padRow, element);
            }
            par.forRange(rows, minRows, (r0, r1) -> {
                for (int row = r0; row < r1; row++) {
                    int o = out + row * outInner * es;
                    int rest = row;
                    int inIndex = 0;
                    boolean inside = !inputEmpty;
                    for (int d = dims - 2; d >= 0 && inside; d--) {
                        int idx = rest % outDims[d] - padBefore[d];
                        rest /= outDims[d];
                        if (idx < 0 || idx >= inDims[d]) {
                            inside = false;
                        }
                        inIndex += idx * inStride[d];
                    }
                    if (!inside) {
                        System.arraycopy(padRow, 0, arena, o, outInner * es);
                        continue;
                    }
                    System.arraycopy(padRow, 0, arena, o, beforeInner * es);
                    System.arraycopy(src, srcBase + inIndex * es, arena, o + beforeInner * es, inInner * es);
                    int after = outInner - beforeInner - inInner;
                    System.arraycopy(padRow, 0, arena, o + (beforeInner + inInner) * es, after * es);
                }
            });
        };
    }

    /** Repeats one element's bytes over the whole array. */
    private static void fillPattern(byte[] dst, byte[] element) {
        int es = element.length;
        if (dst.length == 0) {
            return;
        }
        System.arraycopy(element, 0, dst, 0, Math.min(es, dst.length));
        for (int filled = es; filled < dst.length; filled *= 2) {
            System.arraycopy(dst, 0, dst, filled, Math.min(filled, dst.length - filled));
        }
    }
}
