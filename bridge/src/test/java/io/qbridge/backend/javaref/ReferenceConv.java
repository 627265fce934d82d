package io.qbridge.backend.javaref;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.ops.ConvOps.ConvParams;
import io.qbridge.plan.ops.ConvOps.FullyConnectedParams;
import io.qbridge.plan.ops.ConvOps.Requant;

/**
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED as plain transcriptions of TFLite's reference
 * loops (reference/conv.h, reference/depthwiseconv_uint8.h, reference/integer_ops/conv.h,
 * depthwise_conv.h, fully_connected.h): one output at a time, taps row by row, then input
 * channels. These were the Java backend's first kernels; the fast kernels are held to them bit
 * for bit (ruy's reference_mul plays this part for ruy).
 */
final class ReferenceConv {
    private ReferenceConv() {
    }

    /** Quantized CONV_2D or DEPTHWISE_CONV_2D of {@code input} (the tensor's bytes). */
    static byte[] conv(ConvParams p, byte[] input) {
        Requant q = p.requant();
        int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
        short[] filter = KernelContext.shortsWithOffset(p.filter(), p.type() == DataType.UINT8, q.filterOffset());
        int[] bias = p.bias() == null ? new int[p.outC()] : KernelContext.ints(p.bias());
        byte[] output = new byte[p.batches() * p.outH() * p.outW() * p.outC()];
        int inH = p.inH(), inW = p.inW(), inC = p.inC(), outW = p.outW(), outC = p.outC();
        int fH = p.filterH(), fW = p.filterW();
        for (int row = 0; row < p.batches() * p.outH(); row++) {
            int b = row / p.outH();
            int oy = row % p.outH();
            int inBatch = b * inH * inW * inC;
            for (int ox = 0; ox < outW; ox++) {
                int outPixel = ((row * outW) + ox) * outC;
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
                for (int oc = 0; oc < outC; oc++) {
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
                            if (p.depthwise()) {
                                int ic = oc / p.depthMultiplier();
                                acc += filter[(ky * fW + kx) * outC + oc] * ((input[inPixel + ic] & mask) + q.inputOffset());
                            } else {
                                int f = ((oc * fH + ky) * fW + kx) * inC;
                                for (int ic = 0; ic < inC; ic++) {
                                    acc += filter[f + ic] * ((input[inPixel + ic] & mask) + q.inputOffset());
                                }
                            }
                        }
                    }
                    acc += bias[oc];
                    acc = FixedPoint.multiplyByQuantizedMultiplier(acc, q.multiplier()[oc], q.shift()[oc])
                            + q.outputOffset();
                    output[outPixel + oc] = (byte) Math.max(q.actMin(), Math.min(q.actMax(), acc));
                }
            }
        }
        return output;
    }

    /** float32 CONV_2D or DEPTHWISE_CONV_2D. */
    static float[] convFloat(ConvParams p, float[] input) {
        float[] filter = KernelContext.floats(p.filter());
        float[] bias = p.bias() == null ? new float[p.outC()] : KernelContext.floats(p.bias());
        float actMin = p.requant().actMinF();
        float actMax = p.requant().actMaxF();
        float[] output = new float[p.batches() * p.outH() * p.outW() * p.outC()];
        int inH = p.inH(), inW = p.inW(), inC = p.inC(), outW = p.outW(), outC = p.outC();
        int fH = p.filterH(), fW = p.filterW();
        for (int row = 0; row < p.batches() * p.outH(); row++) {
            int b = row / p.outH();
            int oy = row % p.outH();
            int inBatch = b * inH * inW * inC;
            for (int ox = 0; ox < outW; ox++) {
                int outPixel = ((row * outW) + ox) * outC;
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
                for (int oc = 0; oc < outC; oc++) {
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
                            int inPixel = inBatch + (iy * inW + ix) * inC;
                            if (p.depthwise()) {
                                int ic = oc / p.depthMultiplier();
                                acc += filter[(ky * fW + kx) * outC + oc] * input[inPixel + ic];
                            } else {
                                int f = ((oc * fH + ky) * fW + kx) * inC;
                                for (int ic = 0; ic < inC; ic++) {
                                    acc += filter[f + ic] * input[inPixel + ic];
                                }
                            }
                        }
                    }
                    acc += bias[oc];
                    output[outPixel + oc] = Math.max(actMin, Math.min(actMax, acc));
                }
            }
        }
        return output;
    }

    /** Quantized FULLY_CONNECTED. */
    static byte[] fullyConnected(FullyConnectedParams p, byte[] input) {
        Requant q = p.requant();
        int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
        short[] filter = KernelContext.shortsWithOffset(p.filter(), p.type() == DataType.UINT8, q.filterOffset());
        int[] bias = p.bias() == null ? new int[p.outDepth()] : KernelContext.ints(p.bias());
        int depth = p.inDepth();
        byte[] output = new byte[p.batches() * p.outDepth()];
        for (int b = 0; b < p.batches(); b++) {
            for (int o = 0; o < p.outDepth(); o++) {
                int acc = 0;
                for (int i = 0; i < depth; i++) {
                    acc += filter[o * depth + i] * ((input[b * depth + i] & mask) + q.inputOffset());
                }
                acc += bias[o];
                acc = FixedPoint.multiplyByQuantizedMultiplier(acc, q.multiplier()[o], q.shift()[o]) + q.outputOffset();
                output[b * p.outDepth() + o] = (byte) Math.max(q.actMin(), Math.min(q.actMax(), acc));
            }
        }
        return output;
    }

    /** float32 FULLY_CONNECTED. */
    static float[] fullyConnectedFloat(FullyConnectedParams p, float[] input) {
        float[] filter = KernelContext.floats(p.filter());
        float[] bias = p.bias() == null ? new float[p.outDepth()] : KernelContext.floats(p.bias());
        int depth = p.inDepth();
        float[] output = new float[p.batches() * p.outDepth()];
        for (int b = 0; b < p.batches(); b++) {
            for (int o = 0; o < p.outDepth(); o++) {
                float acc = 0f;
                for (int i = 0; i < depth; i++) {
                    acc += filter[o * depth + i] * input[b * depth + i];
                }
                acc += bias[o];
                output[b * p.outDepth() + o] = Math.max(p.requant().actMinF(), Math.min(p.requant().actMaxF(), acc));
            }
        }
        return output;
    }
}
