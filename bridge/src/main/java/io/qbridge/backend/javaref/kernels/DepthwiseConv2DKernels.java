package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.DepthwiseConv2DOps.DepthwiseConv2DParams;
import io.qbridge.plan.ops.ConvQuantization;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * DEPTHWISE_CONV_2D for float32, uint8 (per-tensor) and int8 (per-channel), as TFLite's reference
 * kernels (reference/depthwiseconv_float.h, reference/depthwiseconv_uint8.h,
 * reference/integer_ops/depthwise_conv.h): output channel oc accumulates (filter + filterOffset) *
 * (input + inputOffset) of input channel oc / depthMultiplier over the window in int32, adds bias,
 * requantizes per channel, adds the output zero point and clamps. The filter is unpacked once with
 * its offset applied; quantized inputs are read through a mask (0xFF for uint8, -1 for int8).
 */
final class DepthwiseConv2DKernels {
    private DepthwiseConv2DKernels() {
    }

    static JavaKernel depthwiseConv2D(PlannedOp op, KernelContext ctx) {
        DepthwiseConv2DParams p = (DepthwiseConv2DParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        int rows = p.batches() * p.outH();
        int minRows = Math.max(1, (int) (1_000_000 / Math.max(1L, (long) p.outW() * p.outC() * p.filterH()
                * p.filterW())));
        if (p.type() == DataType.FLOAT32) {
            float[] filter = KernelContext.floats(p.filter());
            float[] bias = ConvQuantization.floatBiasValues(p.bias(), p.outC());
            return () -> par.forRange(rows, minRows,
                    (r0, r1) -> depthwiseFloat(p, arena, in, out, filter, bias, r0, r1));
        }
        boolean unsigned = p.type() == DataType.UINT8;
        short[] filter = KernelContext.shortsWithOffset(p.filter(), unsigned, -p.quantization().filterZeroPoint());
        int[] bias = ConvQuantization.biasValues(p.bias(), p.outC());
        int mask = unsigned ? 0xFF : -1;
        return () -> par.forRange(rows, minRows,
                (r0, r1) -> depthwiseQuantized(p, arena, in, out, filter, bias, mask, r0, r1));
    }

    /** Output rows [r0, r1) of batch*outH. */
    private static void depthwiseQuantized(DepthwiseConv2DParams p, byte[] arena, int in, int out, short[] filter,
                                           int[] bias, int mask, int r0, int r1) {
        ConvQuantization q = p.quantization();
        int inputOffset = -q.inputZeroPoint();   // TFLite's input_offset
        int outputOffset = q.outputZeroPoint();
        int actMin = q.outputMin();
        int actMax = q.outputMax();
        int[] mult = q.outputMultiplier();
        int[] shift = q.outputShift();
        int inH = p.inH(), inW = p.inW(), inC = p.inC(), outW = p.outW(), outC = p.outC();
        int fH = p.filterH(), fW = p.filterW();
        int depthMultiplier = p.depthMultiplier();
        for (int row = r0; row < r1; row++) {
            int b = row / p.outH();
            int oy = row % p.outH();
            int inBatch = in + b * inH * inW * inC;
            for (int ox = 0; ox < outW; ox++) {
                int outPixel = out + ((row * outW) + ox) * outC;
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
                for (int oc = 0; oc < outC; oc++) {
                    int ic = oc / depthMultiplier;
                    int acc = 0;
                    for (int ky = 0; ky < fH; ky++) {
                        int iy = iy0 + ky * p.dilationH();
                        if (iy < 0 || iy >= inH) {
                            continue;
                        }
                        for (int kx = 0; kx < fW; kx++) {
                            int ix = ix0 + kx * p.dilationW();
                            if (ix < 0 || ix >= inW) {
                                continue;
                            }
                            int inPixel = inBatch + (iy * inW + ix) * inC;
                            acc += filter[(ky * fW + kx) * outC + oc] * ((arena[inPixel + ic] & mask) + inputOffset);
                        }
                    }
                    acc += bias[oc];
                    acc = FixedPoint.multiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]) + outputOffset;
                    arena[outPixel + oc] = (byte) Math.max(actMin, Math.min(actMax, acc));
                }
            }
        }
    }

    private static void depthwiseFloat(DepthwiseConv2DParams p, byte[] arena, int in, int out, float[] filter,
                                       float[] bias, int r0, int r1) {
        float actMin = p.quantization().outputMinF();
        float actMax = p.quantization().outputMaxF();
        int inH = p.inH(), inW = p.inW(), inC = p.inC(), outW = p.outW(), outC = p.outC();
        int fH = p.filterH(), fW = p.filterW();
        int depthMultiplier = p.depthMultiplier();
        for (int row = r0; row < r1; row++) {
            int b = row / p.outH();
            int oy = row % p.outH();
            int inBatch = in + b * inH * inW * inC * 4;
            for (int ox = 0; ox < outW; ox++) {
                int outPixel = out + ((row * outW) + ox) * outC * 4;
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
                for (int oc = 0; oc < outC; oc++) {
                    int ic = oc / depthMultiplier;
                    float acc = 0f;
                    for (int ky = 0; ky < fH; ky++) {
                        int iy = iy0 + ky * p.dilationH();
                        if (iy < 0 || iy >= inH) {
                            continue;
                        }
                        for (int kx = 0; kx < fW; kx++) {
                            int ix = ix0 + kx * p.dilationW();
                            if (ix < 0 || ix >= inW) {
                                continue;
                            }
                            int inPixel = inBatch + (iy * inW + ix) * inC * 4;
                            acc += filter[(ky * fW + kx) * outC + oc] * (float) FLOATS.get(arena, inPixel + ic * 4);
                        }
                    }
                    acc += bias[oc];
                    FLOATS.set(arena, outPixel + oc * 4, Math.max(actMin, Math.min(actMax, acc)));
                }
            }
        }
    }
}
