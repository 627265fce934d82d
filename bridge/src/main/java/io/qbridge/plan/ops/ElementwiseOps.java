package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

import java.util.Arrays;

/**
 * ADD and MUL: numpy-style broadcasting of any rank, TFLite's quantized arithmetic
 * (kernels/add.cc with reference/add.h and integer_ops/add.h; kernels/mul.cc with
 * reference/mul.h and integer_ops/mul.h) and fused activations.
 */
public final class ElementwiseOps {
    /** TFLite's left shift for 8-bit ADD: inputs are scaled by 2^20 before their multipliers. */
    public static final int ADD_LEFT_SHIFT_8BIT = 20;

    private ElementwiseOps() {
    }

    /**
     * How the output's elements map to the inputs', with dimensions merged as far as possible:
     * {@code outShape} has rank >= 1; {@code stride1}/{@code stride2} give each input's element
     * stride per output dimension (0 where that input is broadcast). When {@code sameShape} the
     * three tensors are walked flat.
     */
    public record Broadcast(int[] outShape, int[] stride1, int[] stride2, boolean sameShape, int elementCount) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Broadcast b && Arrays.equals(outShape, b.outShape) && Arrays.equals(stride1, b.stride1)
                    && Arrays.equals(stride2, b.stride2) && sameShape == b.sameShape;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(outShape) * 31 + Arrays.hashCode(stride1);
        }

        @Override
        public String toString() {
            return "Broadcast[out=" + Arrays.toString(outShape) + ", stride1=" + Arrays.toString(stride1)
                    + ", stride2=" + Arrays.toString(stride2) + "]";
        }
    }

    /**
     * ADD. Quantized (uint8/int8): x_i = (q_i + inputOffset_i) << leftShift, scaled by
     * MultiplyByQuantizedMultiplierSmallerThanOneExp(x_i, inputMultiplier_i, inputShift_i); the sum
     * is scaled by (outputMultiplier, outputShift), offset by outputOffset and clamped to
     * [actMin, actMax]. Since x_i's scaled value depends on q_i alone, {@code input1Rescaled} and
     * {@code input2Rescaled} hold it for every input byte (indexed by the unsigned byte). INT32:
     * wrapping sum clamped to [actMin, actMax]. FLOAT32: sum clamped to [actMinF, actMaxF]. The
     * tables are null unless quantized.
     */
    public record AddParams(DataType type, Broadcast broadcast, int input1Offset, int input2Offset, int outputOffset,
                            int leftShift, int input1Multiplier, int input1Shift, int input2Multiplier,
                            int input2Shift, int outputMultiplier, int outputShift, int actMin, int actMax,
                            float actMinF, float actMaxF, int[] input1Rescaled, int[] input2Rescaled)
            implements OpParams {
    }

    /**
     * MUL. Quantized (uint8/int8): MultiplyByQuantizedMultiplier((q1 + input1Offset) *
     * (q2 + input2Offset), outputMultiplier, outputShift) + outputOffset, clamped. INT32: wrapping
     * product clamped. FLOAT32: product clamped.
     */
    public record MulParams(DataType type, Broadcast broadcast, int input1Offset, int input2Offset, int outputOffset,
                            int outputMultiplier, int outputShift, int actMin, int actMax, float actMinF,
                            float actMaxF) implements OpParams {
    }

    public static OpParams prepareAdd(PrepareContext ctx) {
        Activation activation = ctx.options(OpOptions.Add.class, new OpOptions.Add(Activation.NONE)).activation();
        Operands o = operands(ctx, activation);
        float[] rangeF = floatActivationRange(activation);
        if (o.type != DataType.UINT8 && o.type != DataType.INT8) {
            int[] range = int32ActivationRange(activation);
            return new AddParams(o.type, o.broadcast, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, range[0], range[1], rangeF[0],
                    rangeF[1], null, null);
        }
        QuantParams q1 = ctx.requirePerTensorQuant(o.input1, "input 1");
        QuantParams q2 = ctx.requirePerTensorQuant(o.input2, "input 2");
        QuantParams qo = ctx.requirePerTensorQuant(o.output, "output");
        // add.cc: the float scales are widened, 2 * max(s1, s2) is exact.
        double twiceMaxInputScale = 2.0 * Math.max(q1.scale(), q2.scale());
        double realInput1 = q1.scale() / twiceMaxInputScale;
        double realInput2 = q2.scale() / twiceMaxInputScale;
        double realOutput = twiceMaxInputScale / ((double) (1 << ADD_LEFT_SHIFT_8BIT) * qo.scale());
        int[] m1 = smallerThanOne(ctx, realInput1, "input 1");
        int[] m2 = smallerThanOne(ctx, realInput2, "input 2");
        int[] mo = smallerThanOne(ctx, realOutput, "output");
        int[] range = QuantMath.activationRange(activation, o.type, qo.scale(), qo.zeroPoint());
        return new AddParams(o.type, o.broadcast, -q1.zeroPoint(), -q2.zeroPoint(), qo.zeroPoint(),
                ADD_LEFT_SHIFT_8BIT, m1[0], m1[1], m2[0], m2[1], mo[0], mo[1], range[0], range[1], 0f, 0f,
                rescaledInput(o.type, -q1.zeroPoint(), m1[0], m1[1]),
                rescaledInput(o.type, -q2.zeroPoint(), m2[0], m2[1]));
    }

    /**
     * One 8-bit ADD input's rescaled value of every byte (indexed by the unsigned byte):
     * MultiplyByQuantizedMultiplierSmallerThanOneExp((q + offset) * 2^leftShift, multiplier, shift).
     */
    private static int[] rescaledInput(DataType type, int offset, int multiplier, int shift) {
        int[] table = new int[256];
        for (int u = 0; u < 256; u++) {
            int q = type == DataType.UINT8 ? u : (byte) u;
            int shifted = (q + offset) * (1 << ADD_LEFT_SHIFT_8BIT);
            table[u] = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOneExp(shifted, multiplier, shift);
        }
        return table;
    }

    public static OpParams prepareMul(PrepareContext ctx) {
        Activation activation = ctx.options(OpOptions.Mul.class, new OpOptions.Mul(Activation.NONE)).activation();
        Operands o = operands(ctx, activation);
        ctx.setMacs(o.broadcast.elementCount());
        float[] rangeF = floatActivationRange(activation);
        if (o.type != DataType.UINT8 && o.type != DataType.INT8) {
            int[] range = int32ActivationRange(activation);
            return new MulParams(o.type, o.broadcast, 0, 0, 0, 0, 0, range[0], range[1], rangeF[0], rangeF[1]);
        }
        QuantParams q1 = ctx.requirePerTensorQuant(o.input1, "input 1");
        QuantParams q2 = ctx.requirePerTensorQuant(o.input2, "input 2");
        QuantParams qo = ctx.requirePerTensorQuant(o.output, "output");
        // mul.cc: each scale widened to double before multiplying.
        double real = (double) q1.scale() * (double) q2.scale() / (double) qo.scale();
        int[] m;
        try {
            m = FixedPoint.quantizeMultiplier(real);
        } catch (IllegalArgumentException e) {
            throw ctx.invalid("output multiplier: " + e.getMessage());
        }
        int[] range = QuantMath.activationRange(activation, o.type, qo.scale(), qo.zeroPoint());
        return new MulParams(o.type, o.broadcast, -q1.zeroPoint(), -q2.zeroPoint(), qo.zeroPoint(), m[0], m[1],
                range[0], range[1], 0f, 0f);
    }

    private record Operands(DataType type, TensorSpec input1, TensorSpec input2, TensorSpec output,
                            Broadcast broadcast) {
    }

    /** Checks arity, types and the broadcast shape shared by ADD and MUL. */
    private static Operands operands(PrepareContext ctx, Activation activation) {
        ctx.requireArity(2, 2, 1);
        TensorSpec in1 = ctx.input(0);
        TensorSpec in2 = ctx.input(1);
        TensorSpec out = ctx.output(0);
        DataType type = in1.type();
        if (type != DataType.FLOAT32 && type != DataType.INT32 && type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.unsupported("with " + type + " inputs");
        }
        ctx.requireType(in2, type, "input 2");
        ctx.requireType(out, type, "output");
        if (activation == Activation.TANH || activation == Activation.SIGN_BIT) {
            throw ctx.unsupported("with fused activation " + activation);
        }
        return new Operands(type, in1, in2, out, broadcast(ctx, in1.shape(), in2.shape(), out.shape()));
    }

    /**
     * Numpy broadcasting (TFLite's CalculateShapeForBroadcast): shapes aligned at their last
     * dimension, each pair equal or one of them 1. The output must have the broadcast shape.
     * Adjacent dimensions with the same broadcast pattern are merged and size-1 dimensions dropped,
     * which changes nothing in the result and keeps the kernel's loops few and long.
     */
    static Broadcast broadcast(PrepareContext ctx, int[] shape1, int[] shape2, int[] outShape) {
        int rank = Math.max(shape1.length, shape2.length);
        int[] d1 = padLeft(shape1, rank);
        int[] d2 = padLeft(shape2, rank);
        int[] expected = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (d1[i] != d2[i] && d1[i] != 1 && d2[i] != 1) {
                throw ctx.invalid("input shapes " + Arrays.toString(shape1) + " and " + Arrays.toString(shape2)
                        + " cannot be broadcast together");
            }
            expected[i] = d1[i] == 1 ? d2[i] : d1[i];
        }
        ctx.requireShape(ctx.output(0), expected, "output");
        boolean same = Arrays.equals(shape1, shape2);
        long count = 1;
        for (int d : expected) {
            count *= d;
        }
        // Merge: keep dims with out > 1; a dim joins the previous one when, for both inputs,
        // "is broadcast here" is the same on both dims.
        // at least one dimension: two scalars (rank 0) broadcast to a scalar, run as one element
        int[] mergedOut = new int[Math.max(rank, 1)];
        boolean[] b1 = new boolean[mergedOut.length];
        boolean[] b2 = new boolean[mergedOut.length];
        int n = 0;
        for (int i = 0; i < rank; i++) {
            if (expected[i] == 1) {
                continue;
            }
            boolean bc1 = d1[i] == 1;
            boolean bc2 = d2[i] == 1;
            if (n > 0 && b1[n - 1] == bc1 && b2[n - 1] == bc2) {
                mergedOut[n - 1] *= expected[i];
            } else {
                mergedOut[n] = expected[i];
                b1[n] = bc1;
                b2[n] = bc2;
                n++;
            }
        }
        if (n == 0) {
            mergedOut[0] = count == 0 ? 0 : 1;
            n = 1;
        }
        int[] out = Arrays.copyOf(mergedOut, n);
        int[] s1 = new int[n];
        int[] s2 = new int[n];
        int stride1 = 1;
        int stride2 = 1;
        for (int i = n - 1; i >= 0; i--) {
            s1[i] = b1[i] ? 0 : stride1;
            s2[i] = b2[i] ? 0 : stride2;
            stride1 *= b1[i] ? 1 : out[i];
            stride2 *= b2[i] ? 1 : out[i];
        }
        return new Broadcast(out, s1, s2, same, (int) count);
    }

    private static int[] padLeft(int[] shape, int rank) {
        int[] r = new int[rank];
        Arrays.fill(r, 1);
        System.arraycopy(shape, 0, r, rank - shape.length, shape.length);
        return r;
    }

    /** TFLite's QuantizeMultiplierSmallerThanOneExp: the shift must not be positive. */
    private static int[] smallerThanOne(PrepareContext ctx, double real, String what) {
        int[] m;
        try {
            m = FixedPoint.quantizeMultiplier(real);
        } catch (IllegalArgumentException e) {
            throw ctx.invalid(what + " multiplier: " + e.getMessage());
        }
        if (m[1] > 0) {
            throw ctx.invalid(what + " rescale factor " + real + " is not below 1 (the output scale is more than "
                    + "2^19 times smaller than the inputs'), which TFLite's ADD cannot represent");
        }
        return m;
    }

    /**
     * TFLite's CalculateActivationRange for float: unbounded sides are -FLT_MAX / FLT_MAX (not
     * infinities), so an overflowing sum comes out as FLT_MAX, as in TFLite.
     */
    public static float[] floatActivationRange(Activation activation) {
        switch (activation) {
            case RELU: return new float[] {0f, Float.MAX_VALUE};
            case RELU6: return new float[] {0f, 6f};
            case RELU_N1_TO_1: return new float[] {-1f, 1f};
            default: return new float[] {-Float.MAX_VALUE, Float.MAX_VALUE};
        }
    }

    /** TFLite's CalculateActivationRange for int32. */
    public static int[] int32ActivationRange(Activation activation) {
        switch (activation) {
            case RELU: return new int[] {0, Integer.MAX_VALUE};
            case RELU6: return new int[] {0, 6};
            case RELU_N1_TO_1: return new int[] {-1, 1};
            default: return new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        }
    }
}
