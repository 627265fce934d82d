package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Data movement: CONCATENATION (kernels/concatenation.cc, reference/concatenation.h), RESHAPE
 * (kernels/reshape.cc), SQUEEZE (kernels/squeeze.cc), PAD and PADV2 (kernels/pad.cc,
 * reference/pad.h). Shapes are static in qbridge, so every shape the op implies is checked
 * against the output tensor's.
 */
public final class ShapeOps {
    private ShapeOps() {
    }

    /**
     * CONCATENATION viewed as {@code outerCount} rows: each output row is, for every input in
     * turn, {@code inputRowElements[i]} elements of that input's row. A uint8 input whose scale or
     * zero point differs from the output's is requantized as TFLite's ConcatenationWithScaling:
     * {@code requantizeTables[i]} holds its result for every input byte; it is null for inputs
     * copied as they are.
     */
    public record ConcatenationParams(DataType type, int axis, int outerCount, int[] inputRowElements,
                                      byte[][] requantizeTables) implements OpParams {
        @Override
        public boolean equals(Object o) {
            return o instanceof ConcatenationParams c && type == c.type && axis == c.axis
                    && outerCount == c.outerCount && Arrays.equals(inputRowElements, c.inputRowElements)
                    && Arrays.deepEquals(requantizeTables, c.requantizeTables);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(inputRowElements) * 31 + axis;
        }

        @Override
        public String toString() {
            boolean[] requantized = new boolean[requantizeTables.length];
            for (int i = 0; i < requantized.length; i++) {
                requantized[i] = requantizeTables[i] != null;
            }
            return "ConcatenationParams[" + type + ", axis " + axis + ", rows " + outerCount + ", row elements "
                    + Arrays.toString(inputRowElements) + ", requantize " + Arrays.toString(requantized) + "]";
        }
    }

    /** RESHAPE and SQUEEZE: the output holds the input's bytes unchanged. */
    public record ReshapeParams(int byteCount) implements OpParams {
    }

    /**
     * PAD and PADV2 over any rank: output[i] = input[i - padBefore] inside the input's box, else
     * the pad value. The shapes have each unpadded trailing dimension merged into the one before
     * it, so that rows are long (image-style padding of NHWC becomes rows of W*C); a scalar is one
     * unpadded element. {@code padValue} is one element's little-endian bytes, or null when it is
     * read from the (non-constant) constant_values input at run time.
     */
    public record PadParams(DataType type, int[] inputShape, int[] padBefore, int[] outputShape, byte[] padValue)
            implements OpParams {
        @Override
        public boolean equals(Object o) {
            return o instanceof PadParams p && type == p.type && Arrays.equals(inputShape, p.inputShape)
                    && Arrays.equals(padBefore, p.padBefore) && Arrays.equals(outputShape, p.outputShape)
                    && Arrays.equals(padValue, p.padValue);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(inputShape) * 31 + Arrays.hashCode(padBefore);
        }

        @Override
        public String toString() {
            return "PadParams[" + type + ", in " + Arrays.toString(inputShape) + ", before "
                    + Arrays.toString(padBefore) + ", out " + Arrays.toString(outputShape) + "]";
        }
    }

    // ---------------------------------------------------------------- CONCATENATION

    public static OpParams prepareConcatenation(PrepareContext ctx) {
        OpOptions.Concatenation options = ctx.options(OpOptions.Concatenation.class, null);
        int count = ctx.op().inputCount();
        ctx.requireArity(1, Integer.MAX_VALUE, 1);
        TensorSpec first = ctx.input(0);
        TensorSpec output = ctx.output(0);
        DataType type = first.type();
        if (!isPlainType(type)) {
            throw ctx.unsupported("with " + type + " inputs");
        }
        if (options.activation() != Activation.NONE) {
            // concatenation.cc refuses fused activations in Prepare.
            throw ctx.unsupported("with fused activation " + options.activation() + " (TFLite has none either)");
        }
        int rank = first.rank();
        int axis = options.axis() < 0 ? options.axis() + rank : options.axis();
        if (axis < 0 || axis >= rank) {
            throw ctx.invalid("axis " + options.axis() + " is out of range for inputs of rank " + rank);
        }
        int[] expected = first.shape();
        expected[axis] = 0;
        for (int i = 0; i < count; i++) {
            TensorSpec t = ctx.input(i);
            ctx.requireType(t, type, "input " + i);
            if (t.rank() != rank) {
                throw ctx.invalid("input " + i + " " + PrepareContext.describe(t) + " has rank " + t.rank()
                        + ", input 0 has rank " + rank);
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && t.dim(d) != first.dim(d)) {
                    throw ctx.invalid("input " + i + " " + PrepareContext.describe(t) + " has shape "
                            + Arrays.toString(t.shape()) + ", which differs from input 0's "
                            + Arrays.toString(first.shape()) + " outside axis " + axis);
                }
            }
            expected[axis] += t.dim(axis);
        }
        ctx.requireType(output, type, "output");
        ctx.requireShape(output, expected, "output");
        long outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= expected[d];
        }
        long inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= expected[d];
        }
        int[] rowElements = new int[count];
        byte[][] requantizeTables = new byte[count][];
        if (type == DataType.UINT8 || type == DataType.INT8 || type == DataType.INT16) {
            QuantParams qo = ctx.requirePerTensorQuant(output, "output");
            float inverseOutputScale = 1f / qo.scale();
            for (int i = 0; i < count; i++) {
                QuantParams qi = ctx.requirePerTensorQuant(ctx.input(i), "input " + i);
                boolean same = qi.scale() == qo.scale() && qi.zeroPoint() == qo.zeroPoint();
                if (type == DataType.INT8 && !same) {
                    // concatenation.cc: "no re-scaling needed for Int8 quantized kernel".
                    throw ctx.invalid("int8 input " + i + " " + PrepareContext.describe(ctx.input(i))
                            + " has scale " + qi.scale() + " and zero point " + qi.zeroPoint()
                            + ", the output " + qo.scale() + " and " + qo.zeroPoint()
                            + "; TFLite requires int8 inputs to share the output's parameters");
                }
                if (type == DataType.INT16 && (qi.zeroPoint() != 0 || qo.zeroPoint() != 0)) {
                    throw ctx.invalid("int16 input " + i + " and output must have zero point 0");
                }
                // int16 inputs are copied whatever their scale, as TFLite does.
                if (!same && type == DataType.UINT8) {
                    float scale = qi.scale() * inverseOutputScale;
                    requantizeTables[i] = concatenationTable(scale, -qi.zeroPoint() * scale, qo.zeroPoint());
                }
            }
        }
        for (int i = 0; i < count; i++) {
            rowElements[i] = (int) (ctx.input(i).dim(axis) * inner);
        }
        return new ConcatenationParams(type, axis, (int) outer, rowElements, requantizeTables);
    }

    /**
     * ConcatenationWithScaling of every uint8 input byte q, in float:
     * {@code round(q * scale + bias) + outputZeroPoint} clamped to [0, 255].
     */
    private static byte[] concatenationTable(float scale, float bias, int outputZeroPoint) {
        byte[] table = new byte[256];
        for (int q = 0; q < 256; q++) {
            float v = q * scale + bias;   // two float roundings, no fused multiply-add
            int r = (int) QuantMath.roundHalfAwayFromZero(v) + outputZeroPoint;
            table[q] = (byte) Math.max(0, Math.min(255, r));
        }
        return table;
    }

    private static long paddingValue(ByteBuffer b, DataType type, int index) {
        switch (type) {
            case INT8: return b.get(index);
            case INT16: return b.getShort(index * 2);
            case INT32: return b.getInt(index * 4);
            default: return b.getLong(index * 8);
        }
    }

    /** Types whose elements are moved as fixed-size bytes. */
    private static boolean isPlainType(DataType t) {
        switch (t) {
            case FLOAT32: case INT32: case UINT8: case INT8: case INT16: case INT64: case BOOL:
                return true;
            default:
                return false;
        }
    }

    // ---------------------------------------------------------------- RESHAPE / SQUEEZE

    /**
     * RESHAPE as reshape.cc: the new shape comes from a constant int32 vector second input, else
     * from the options' new_shape ([0] meaning a scalar, as legacy converters wrote it), else it is
     * the output tensor's own shape; one -1 is inferred from the element count.
     */
    public static OpParams prepareReshape(PrepareContext ctx) {
        ctx.requireArity(1, 2, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        requireSameTypeMovable(ctx, input, output);
        TensorSpec shapeTensor = ctx.optionalInput(1);
        int[] requested;
        if (shapeTensor != null && shapeTensor.rank() == 1 && shapeTensor.type() == DataType.INT32) {
            if (!shapeTensor.isConstant()) {
                // The shape is only known at run time; qbridge's shapes are static, so the output
                // tensor's shape must be the answer. Checked by element count below.
                requested = output.shape();
            } else {
                requested = new int[shapeTensor.dim(0)];
                shapeTensor.data().asIntBuffer().get(requested);
            }
        } else if (ctx.op().options() instanceof OpOptions.Reshape r && r.newShape() != null) {
            requested = r.newShape();
            if (requested.length == 1 && requested[0] == 0) {
                requested = new int[0];
            }
        } else if (ctx.op().options() instanceof OpOptions.Reshape || ctx.op().options() instanceof OpOptions.None) {
            requested = output.shape();
        } else {
            throw ctx.invalid("options are " + ctx.op().options() + ", expected Reshape");
        }
        int[] shape = resolveReshape(ctx, requested, input.elementCount());
        ctx.requireShape(output, shape, "output");
        return new ReshapeParams((int) input.byteSize());
    }

    /** Resolves the one allowed -1 and checks the element count, as reshape.cc's ResizeOutput. */
    private static int[] resolveReshape(PrepareContext ctx, int[] requested, long inputElements) {
        int[] shape = requested.clone();
        int stretch = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (stretch >= 0) {
                    throw ctx.invalid("new shape " + Arrays.toString(requested) + " has more than one -1");
                }
                stretch = i;
            } else if (shape[i] < 0) {
                throw ctx.invalid("new shape " + Arrays.toString(requested) + " has a negative dimension");
            } else {
                known *= shape[i];
            }
        }
        if (stretch >= 0) {
            if (known == 0 || inputElements % known != 0) {
                throw ctx.invalid("new shape " + Arrays.toString(requested) + " cannot hold " + inputElements
                        + " elements");
            }
            shape[stretch] = (int) (inputElements / known);
            known *= shape[stretch];
        }
        if (known != inputElements) {
            throw ctx.invalid("new shape " + Arrays.toString(requested) + " has " + known
                    + " elements, the input has " + inputElements);
        }
        return shape;
    }

    /**
     * SQUEEZE as squeeze.cc: removes the listed dimensions (negative counts from the end), each of
     * which must be 1, or every dimension of size 1 when none is listed.
     */
    public static OpParams prepareSqueeze(PrepareContext ctx) {
        ctx.requireArity(1, 1, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        requireSameTypeMovable(ctx, input, output);
        int[] dims = ctx.options(OpOptions.Squeeze.class, new OpOptions.Squeeze(new int[0])).squeezeDims();
        int rank = input.rank();
        boolean[] remove = new boolean[rank];
        if (dims.length == 0) {
            for (int d = 0; d < rank; d++) {
                remove[d] = input.dim(d) == 1;
            }
        } else {
            for (int d : dims) {
                int axis = d < 0 ? d + rank : d;
                if (axis < 0 || axis >= rank) {
                    throw ctx.invalid("squeeze dimension " + d + " is out of range for rank " + rank);
                }
                if (input.dim(axis) != 1) {
                    throw ctx.invalid("squeeze dimension " + d + " of input " + PrepareContext.describe(input)
                            + " has size " + input.dim(axis) + ", not 1");
                }
                remove[axis] = true;
            }
        }
        int[] expected = new int[rank];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (!remove[d]) {
                expected[n++] = input.dim(d);
            }
        }
        ctx.requireShape(output, Arrays.copyOf(expected, n), "output");
        return new ReshapeParams((int) input.byteSize());
    }

    private static void requireSameTypeMovable(PrepareContext ctx, TensorSpec input, TensorSpec output) {
        if (input.type().byteSize() <= 0) {
            throw ctx.unsupported("with " + input.type() + " tensors");
        }
        ctx.requireType(output, input.type(), "output");
    }

    // ---------------------------------------------------------------- PAD / PADV2

    /** PAD pads with 0 (the output zero point when quantized); PADV2 with its constant_values. */
    public static OpParams preparePad(PrepareContext ctx) {
        ctx.requireArity(2, 3, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec paddings = ctx.input(1);
        TensorSpec constantValues = ctx.optionalInput(2);
        TensorSpec output = ctx.output(0);
        DataType type = input.type();
        if (type.byteSize() <= 0) {
            throw ctx.unsupported("with " + type + " input");
        }
        ctx.requireType(output, type, "output");
        int rank = input.rank();
        DataType pt = paddings.type();
        if (pt != DataType.INT32 && pt != DataType.INT64 && pt != DataType.INT8 && pt != DataType.INT16) {
            throw ctx.invalid("paddings " + PrepareContext.describe(paddings) + " is " + pt
                    + ", expected INT32, INT64, INT16 or INT8");
        }
        if (paddings.rank() != 2 || paddings.dim(0) != rank || paddings.dim(1) != 2) {
            throw ctx.invalid("paddings " + PrepareContext.describe(paddings) + " has shape "
                    + Arrays.toString(paddings.shape()) + ", expected [" + rank + ", 2]");
        }
        ctx.requireConstant(paddings, "paddings");
        ByteBuffer pd = paddings.data();
        int[] before = new int[rank];
        int[] expected = new int[rank];
        for (int d = 0; d < rank; d++) {
            long b = paddingValue(pd, pt, 2 * d);
            long a = paddingValue(pd, pt, 2 * d + 1);
            if (b < 0 || a < 0) {
                throw ctx.invalid("paddings of dimension " + d + " are " + b + " and " + a
                        + "; pad values must be >= 0");
            }
            long size = input.dim(d) + b + a;
            if (size > Integer.MAX_VALUE) {
                throw ctx.invalid("padding dimension " + d + " by " + b + " and " + a + " overflows");
            }
            before[d] = (int) b;
            expected[d] = (int) size;
        }
        long total = 1;
        for (int e : expected) {
            total *= e;
            if (total * type.byteSize() > Integer.MAX_VALUE) {
                throw ctx.invalid("padded output of shape " + Arrays.toString(expected) + " is too large");
            }
        }
        ctx.requireShape(output, expected, "output");
        byte[] padValue = new byte[type.byteSize()];
        boolean quantized = type == DataType.UINT8 || type == DataType.INT8 || type == DataType.INT16;
        QuantParams qo = quantized ? ctx.requirePerTensorQuant(output, "output") : null;
        if (constantValues != null) {
            ctx.requireType(constantValues, type, "constant_values");
            if (constantValues.elementCount() != 1) {
                throw ctx.invalid("constant_values " + PrepareContext.describe(constantValues) + " has "
                        + constantValues.elementCount() + " elements, expected 1");
            }
            if (quantized) {
                QuantParams qc = ctx.requirePerTensorQuant(constantValues, "constant_values");
                if (qc.scale() != qo.scale() || qc.zeroPoint() != qo.zeroPoint()) {
                    throw ctx.invalid("constant_values has scale " + qc.scale() + " and zero point "
                            + qc.zeroPoint() + "; TFLite requires the output's (" + qo.scale() + ", "
                            + qo.zeroPoint() + ")");
                }
            }
            if (constantValues.isConstant()) {
                constantValues.data().get(padValue);
            } else {
                padValue = null;
            }
        } else if (quantized) {
            ByteBuffer v = ByteBuffer.wrap(padValue).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (type == DataType.INT16) {
                v.putShort(0, (short) qo.zeroPoint());
            } else {
                v.put(0, (byte) qo.zeroPoint());
            }
        }
        int[] in = input.shape();
        int[] out = expected;
        int mergedRank = rank;
        while (mergedRank >= 2 && in[mergedRank - 1] == out[mergedRank - 1]) {
            int inner = in[mergedRank - 1];
            mergedRank--;
            in = Arrays.copyOf(in, mergedRank);
            out = Arrays.copyOf(out, mergedRank);
            before = Arrays.copyOf(before, mergedRank);
            in[mergedRank - 1] *= inner;
            out[mergedRank - 1] *= inner;
            before[mergedRank - 1] *= inner;
        }
        if (mergedRank == 0) {
            return new PadParams(type, new int[] {1}, new int[] {0}, new int[] {1}, padValue);
        }
        return new PadParams(type, in, before, out, padValue);
    }
}
