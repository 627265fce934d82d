package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MEAN over constant axes, with keep_dims. Facts from TFLite {@code kernels/reduce.cc} and
 * {@code kernels/internal/reference/reduce.h} (the version in TFLite Micro at
 * 90b983c2b3f1480642e040bbd2ddb37b998f3424, which TFLite's reference kernel also runs):
 * float sums in input order then divides by the count; int8 and uint8 use the integer
 * {@code QuantizedMeanOrSum} for every axis set, including the common H,W case
 * ({@code tf2_mobilenet_v2_1.0_224_ptq}: int8 [1,7,7,1280], axes {1,2}, keep_dims, different
 * input and output scales).
 */
public final class ReduceOps {
    private ReduceOps() {
    }

    /**
     * The reduction on the input reshaped to {@code dims} (size-1 dimensions dropped, neighbours of
     * the same kind merged; {@code reduced[i]} says which are summed). Output o sums the input
     * elements at {@code outputOffsets[o] + reducedOffsets[r]} for every r: the row-major element
     * offsets of every combination of the kept, and of the reduced, dimensions (outputs follow the
     * kept dimensions in order). Quantized: {@code out = clamp(outputZeroPoint +
     * MultiplyByQuantizedMultiplier(sum - zeroPointTimesCount, multiplier, shift))} where
     * {@code zeroPointTimesCount} is {@code inputZeroPoint * reducedCount} wrapped to int32 as in
     * TFLite, and multiplier and shift already include the division by {@code reducedCount}.
     */
    public record MeanParams(DataType type, int[] dims, boolean[] reduced, int outputCount, int reducedCount,
                             int[] outputOffsets, int[] reducedOffsets, int inputZeroPoint, int zeroPointTimesCount,
                             int outputZeroPoint, int multiplier, int shift) implements OpParams {
        @Override
        public String toString() {
            return "MeanParams[" + type + " dims=" + Arrays.toString(dims) + " reduced=" + Arrays.toString(reduced)
                    + " outputs=" + outputCount + " reducedCount=" + reducedCount + " multiplier=" + multiplier
                    + " shift=" + shift + "]";
        }
    }

    public static OpParams prepareMean(PrepareContext ctx) {
        OpOptions.Reducer o = ctx.options(OpOptions.Reducer.class, new OpOptions.Reducer(false));
        ctx.requireArity(2, 2, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec axisTensor = ctx.input(1);
        TensorSpec output = ctx.output(0);
        DataType type = input.type();
        if (type != DataType.FLOAT32 && type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.unsupported("with " + type + " input");
        }
        ctx.requireType(output, type, "output");
        ctx.requireType(axisTensor, DataType.INT32, "axis");
        ctx.requireConstant(axisTensor, "axis");
        int rank = input.rank();
        boolean[] isReduced = new boolean[rank];
        ByteBuffer axisData = axisTensor.data();
        long axisCount = axisTensor.elementCount();
        if (axisData.remaining() < axisCount * 4) {
            throw ctx.invalid("axis " + PrepareContext.describe(axisTensor) + " holds fewer than " + axisCount
                    + " int32 values");
        }
        for (int i = 0; i < axisCount; i++) {
            int axis = axisData.getInt(i * 4);
            if (rank == 0) {
                continue;                                   // TFLite ignores the axes of a scalar
            }
            if (axis < -rank || axis >= rank) {
                throw ctx.invalid("axis " + axis + " is out of range for input " + PrepareContext.describe(input)
                        + " of rank " + rank);
            }
            isReduced[axis < 0 ? axis + rank : axis] = true;
        }
        List<Integer> outShape = new ArrayList<>();
        long reducedCount = 1;
        for (int d = 0; d < rank; d++) {
            if (isReduced[d]) {
                reducedCount *= input.dim(d);
                if (o.keepDims()) {
                    outShape.add(1);
                }
            } else {
                outShape.add(input.dim(d));
            }
        }
        ctx.requireShape(output, outShape.stream().mapToInt(Integer::intValue).toArray(), "output");
        long outputCount = output.elementCount();
        if (input.elementCount() > Integer.MAX_VALUE || reducedCount > Integer.MAX_VALUE) {
            throw ctx.invalid("input " + PrepareContext.describe(input) + " has too many elements");
        }

        // Collapse: drop size-1 dimensions, merge neighbours that are both kept or both reduced.
        List<int[]> collapsed = new ArrayList<>();        // {size, reduced ? 1 : 0}
        for (int d = 0; d < rank; d++) {
            int size = input.dim(d);
            if (size == 1) {
                continue;
            }
            int kind = isReduced[d] ? 1 : 0;
            if (!collapsed.isEmpty() && collapsed.get(collapsed.size() - 1)[1] == kind) {
                collapsed.get(collapsed.size() - 1)[0] *= size;
            } else {
                collapsed.add(new int[] {size, kind});
            }
        }
        int[] dims = new int[collapsed.size()];
        boolean[] reduced = new boolean[collapsed.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = collapsed.get(i)[0];
            reduced[i] = collapsed.get(i)[1] == 1;
        }

        int[] outputOffsets = elementOffsets(dims, reduced, false);
        int[] reducedOffsets = elementOffsets(dims, reduced, true);
        if (type == DataType.FLOAT32) {
            return new MeanParams(type, dims, reduced, (int) outputCount, (int) reducedCount, outputOffsets,
                    reducedOffsets, 0, 0, 0, 0, 0);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        int[] qs;
        try {
            qs = FixedPoint.quantizeMultiplier((double) inQ.scale() / (double) outQ.scale());
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported("with input/output scale ratio out of range: " + e.getMessage());
        }
        int multiplier = qs[0];
        int shift = qs[1];
        if (reducedCount > 0) {
            // QuantizedMeanOrSum folds 1/count into the multiplier: (m << s) / count with
            // s = floor(log2(count)), limited to 32 and to 31 + shift, and shift reduced by s.
            int s = 63 - Long.numberOfLeadingZeros(reducedCount);
            s = Math.min(s, 32);
            s = Math.min(s, 31 + shift);
            multiplier = (int) (((long) multiplier << s) / reducedCount);
            shift -= s;
        }
        int zeroPointTimesCount = (int) ((long) inQ.zeroPoint() * reducedCount);   // int32 wrap, as TFLite
        return new MeanParams(type, dims, reduced, (int) outputCount, (int) reducedCount, outputOffsets,
                reducedOffsets, inQ.zeroPoint(), zeroPointTimesCount, outQ.zeroPoint(), multiplier, shift);
    }

    /** Row-major element offsets of every combination of the kept (or the reduced) dimensions. */
    private static int[] elementOffsets(int[] dims, boolean[] reduced, boolean ofReduced) {
        int n = dims.length;
        int[] strides = new int[n];
        int stride = 1;
        for (int d = n - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= dims[d];
        }
        int count = 1;
        for (int d = 0; d < n; d++) {
            if (reduced[d] == ofReduced) {
                count *= dims[d];
            }
        }
        int[] offsets = new int[count];
        int[] index = new int[n];
        for (int i = 0; i < count; i++) {
            int offset = 0;
            for (int d = 0; d < n; d++) {
                offset += index[d] * strides[d];
            }
            offsets[i] = offset;
            for (int d = n - 1; d >= 0; d--) {   // next combination, last selected dimension fastest
                if (reduced[d] != ofReduced) {
                    continue;
                }
                if (++index[d] < dims[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return offsets;
    }
}
