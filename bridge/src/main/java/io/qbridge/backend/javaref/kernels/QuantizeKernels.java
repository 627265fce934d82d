package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.Float16;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.QuantizeOps;
import io.qbridge.plan.ops.QuantizeOps.Channels;
import io.qbridge.plan.ops.QuantizeOps.DequantizeParams;
import io.qbridge.plan.ops.QuantizeOps.QuantizeParams;
import io.qbridge.plan.ops.QuantizeOps.RequantizeParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;
import static io.qbridge.backend.javaref.KernelContext.INTS;
import static io.qbridge.backend.javaref.KernelContext.SHORTS;

/**
 * QUANTIZE and DEQUANTIZE as TFLite's reference kernels (reference/quantize.h AffineQuantize and
 * PerChannelQuantize, reference/requantize.h, reference/dequantize.h). Element types are read
 * and written through small static helpers selected by a type code, so each loop is monomorphic.
 */
final class QuantizeKernels {
    private static final int MIN_ELEMENTS_PER_THREAD = 16_384;

    private QuantizeKernels() {
    }

    static JavaKernel quantize(PlannedOp op, KernelContext ctx) {
        QuantizeParams p = (QuantizeParams) op.params();
        InputBytes in = InputBytes.of(op, 0, ctx);
        byte[] src = in.array();
        int srcBase = in.offset();
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        DataType t = p.outputType();
        int qmin = t.minValue();
        int qmax = t.maxValue();
        Channels c = p.channels();
        float[] scales = c.scales();
        int[] zeroPoints = c.zeroPoints();
        int channels = c.channelCount();
        int inner = c.innerSize();
        int es = t.byteSize();
        Parallel par = ctx.parallel();
        return () -> par.forRange(p.elementCount(), MIN_ELEMENTS_PER_THREAD, (e0, e1) -> {
            for (int i = e0; i < e1; i++) {
                int ch = channels == 1 ? 0 : (i / inner) % channels;
                float v = (float) FLOATS.get(src, srcBase + i * 4) / scales[ch];
                // std::round on the float quotient (halves away from zero; exact in double), then
                // static_cast<int32_t>, saturating as on Arm; NaN gives 0.
                long r = (long) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v) + zeroPoints[ch];
                write(arena, out + i * es, es, (int) Math.max(qmin, Math.min(qmax, r)));
            }
        });
    }

    static JavaKernel requantize(PlannedOp op, KernelContext ctx) {
        RequantizeParams p = (RequantizeParams) op.params();
        InputBytes in = InputBytes.of(op, 0, ctx);
        byte[] src = in.array();
        int srcBase = in.offset();
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        byte[] table = p.table();
        if (table != null) {
            return () -> par.forRange(p.elementCount(), MIN_ELEMENTS_PER_THREAD, (e0, e1) -> {
                for (int i = e0; i < e1; i++) {
                    arena[out + i] = table[src[srcBase + i] & 0xFF];
                }
            });
        }
        int inType = typeCode(p.inputType());
        int inSize = p.inputType().byteSize();
        int outSize = p.outputType().byteSize();
        int inZp = p.inputZeroPoint();
        int outZp = p.outputZeroPoint();
        int mult = p.multiplier();
        int shift = p.shift();
        DataType outType = p.outputType();
        return () -> par.forRange(p.elementCount(), MIN_ELEMENTS_PER_THREAD, (e0, e1) -> {
            for (int i = e0; i < e1; i++) {
                int q = read(src, srcBase + i * inSize, inType);
                write(arena, out + i * outSize, outSize, QuantizeOps.requantize(q, inZp, outZp, mult, shift, outType));
            }
        });
    }

    static JavaKernel dequantize(PlannedOp op, KernelContext ctx) {
        DequantizeParams p = (DequantizeParams) op.params();
        InputBytes in = InputBytes.of(op, 0, ctx);
        byte[] src = in.array();
        int srcBase = in.offset();
        byte[] arena = ctx.arena();
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        if (p.inputType() == DataType.FLOAT16) {
            return () -> par.forRange(p.elementCount(), MIN_ELEMENTS_PER_THREAD, (e0, e1) -> {
                for (int i = e0; i < e1; i++) {
                    FLOATS.set(arena, out + i * 4, Float16.toFloat((short) SHORTS.get(src, srcBase + i * 2)));
                }
            });
        }
        int inType = typeCode(p.inputType());
        int inSize = p.inputType().byteSize();
        Channels c = p.channels();
        double[] scales = new double[c.channelCount()];
        for (int k = 0; k < scales.length; k++) {
            scales[k] = c.scales()[k];
        }
        int[] zeroPoints = c.zeroPoints();
        int channels = c.channelCount();
        int inner = c.innerSize();
        return () -> par.forRange(p.elementCount(), MIN_ELEMENTS_PER_THREAD, (e0, e1) -> {
            for (int i = e0; i < e1; i++) {
                int ch = channels == 1 ? 0 : (i / inner) % channels;
                int q = read(src, srcBase + i * inSize, inType);
                // Per tensor TFLite computes in double, per channel in float; both are the correctly
                // rounded product (the int fits a float's mantissa, the exact product a double's).
                FLOATS.set(arena, out + i * 4, (float) (scales[ch] * (q - zeroPoints[ch])));
            }
        });
    }

    private static final int UINT8 = 0;
    private static final int INT8 = 1;
    private static final int INT16 = 2;
    private static final int INT32 = 3;

    private static int typeCode(DataType t) {
        switch (t) {
            case UINT8: return UINT8;
            case INT8: return INT8;
            case INT16: return INT16;
            case INT32: return INT32;
            default: throw new IllegalArgumentException("not an integer type: " + t);
        }
    }

    private static int read(byte[] a, int offset, int type) {
        switch (type) {
            case UINT8: return a[offset] & 0xFF;
            case INT8: return a[offset];
            case INT16: return (short) SHORTS.get(a, offset);
            default: return (int) INTS.get(a, offset);
        }
    }

    /** Writes the low {@code size} bytes of v, little-endian. */
    private static void write(byte[] a, int offset, int size, int v) {
        switch (size) {
            case 1: a[offset] = (byte) v; break;
            case 2: SHORTS.set(a, offset, (short) v); break;
            default: INTS.set(a, offset, v);
        }
    }
}
