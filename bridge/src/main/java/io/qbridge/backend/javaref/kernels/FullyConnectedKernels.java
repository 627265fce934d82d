package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.FullyConnectedOps.FullyConnectedParams;
import io.qbridge.plan.ops.ConvQuantization;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * FULLY_CONNECTED for float32, uint8 (per-tensor) and int8 (per-tensor or per-channel), as
 * TFLite's reference kernels (reference/fully_connected.h, reference/integer_ops/fully_connected.h):
 * accumulate (filter + filterOffset) * (input + inputOffset) in int32, add bias, requantize per
 * output channel, add the output zero point, clamp. The filter is unpacked once with its offset
 * applied; quantized inputs are read through a mask (0xFF for uint8, -1 for int8).
 */
final class FullyConnectedKernels {
    private FullyConnectedKernels() {
    }

    static JavaKernel fullyConnected(PlannedOp op, KernelContext ctx) {
        FullyConnectedParams p = (FullyConnectedParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        int n = p.outDepth();
        int minChunk = Math.max(1, 100_000 / Math.max(1, p.inDepth() * p.batches()));
        if (p.type() == DataType.FLOAT32) {
            float[] filter = KernelContext.floats(p.filter());
            float[] bias = ConvQuantization.floatBiasValues(p.bias(), n);
            return () -> par.forRange(n, minChunk,
                    (o0, o1) -> fullyConnectedFloat(p, arena, in, out, filter, bias, o0, o1));
        }
        boolean unsigned = p.type() == DataType.UINT8;
        short[] filter = KernelContext.shortsWithOffset(p.filter(), unsigned, -p.quantization().filterZeroPoint());
        int[] bias = ConvQuantization.biasValues(p.bias(), n);
        int mask = unsigned ? 0xFF : -1;
        return () -> par.forRange(n, minChunk,
                (o0, o1) -> fullyConnectedQuantized(p, arena, in, out, filter, bias, mask, o0, o1));
    }

    /** Output channels [o0, o1) of every batch row. */
    private static void fullyConnectedQuantized(FullyConnectedParams p, byte[] arena, int in, int out, short[] filter,
                                                int[] bias, int mask, int o0, int o1) {
        ConvQuantization q = p.quantization();
        int depth = p.inDepth();
        int inputOffset = -q.inputZeroPoint();   // TFLite's input_offset
        for (int b = 0; b < p.batches(); b++) {
            int row = in + b * depth;
            for (int o = o0; o < o1; o++) {
                int f = o * depth;
                int acc = 0;
                for (int i = 0; i < depth; i++) {
                    acc += filter[f + i] * ((arena[row + i] & mask) + inputOffset);
                }
                acc += bias[o];
                acc = FixedPoint.multiplyByQuantizedMultiplier(acc, q.outputMultiplier()[o], q.outputShift()[o]) + q.outputZeroPoint();
                arena[out + b * p.outDepth() + o] = (byte) Math.max(q.outputMin(), Math.min(q.outputMax(), acc));
            }
        }
    }

    private static void fullyConnectedFloat(FullyConnectedParams p, byte[] arena, int in, int out, float[] filter,
                                            float[] bias, int o0, int o1) {
        int depth = p.inDepth();
        float actMin = p.quantization().outputMinF();
        float actMax = p.quantization().outputMaxF();
        for (int b = 0; b < p.batches(); b++) {
            int row = in + b * depth * 4;
            for (int o = o0; o < o1; o++) {
                int f = o * depth;
                float acc = 0f;
                for (int i = 0; i < depth; i++) {
                    acc += filter[f + i] * (float) FLOATS.get(arena, row + i * 4);
                }
                acc += bias[o];
                FLOATS.set(arena, out + (b * p.outDepth() + o) * 4, Math.max(actMin, Math.min(actMax, acc)));
            }
        }
    }
}
