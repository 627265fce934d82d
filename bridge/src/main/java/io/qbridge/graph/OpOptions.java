package io.qbridge.graph;

import java.util.Arrays;

/**
 * The builtin options of an operator, one record per options table of the TFLite schema that
 * qbridge understands. Ops without options carry {@link None}; ops whose options table qbridge
 * does not read carry {@link Unparsed} (such ops are refused by the backends).
 */
public sealed interface OpOptions {

    /** TFLite's {@code BuiltinOptions} union type code of this record (0 for none). */
    int unionType();

    /** The op has no options table. */
    record None() implements OpOptions {
        public static final None INSTANCE = new None();

        @Override
        public int unionType() {
            return 0;
        }
    }

    /**
     * An options table of a kind qbridge does not interpret. When all its fields are scalars it is
     * kept field by field ({@code fields[id]}: the raw little-endian bytes, null where absent) so
     * that writing the model reproduces it; {@code fields} is null when it could not be kept.
     */
    record Unparsed(int unionType, byte[][] fields) implements OpOptions {
        public Unparsed(int unionType) {
            this(unionType, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unparsed u && unionType == u.unionType && Arrays.deepEquals(fields, u.fields);
        }

        @Override
        public int hashCode() {
            return 31 * unionType + Arrays.deepHashCode(fields);
        }

        @Override
        public String toString() {
            return "Unparsed[unionType=" + unionType + (fields == null ? ", not kept" : ", " + fields.length + " fields")
                    + "]";
        }
    }

    record Conv2D(Padding padding, int strideW, int strideH, Activation activation,
                  int dilationW, int dilationH) implements OpOptions {
        @Override
        public int unionType() {
            return 1;
        }
    }

    record DepthwiseConv2D(Padding padding, int strideW, int strideH, int depthMultiplier,
                           Activation activation, int dilationW, int dilationH) implements OpOptions {
        @Override
        public int unionType() {
            return 2;
        }
    }

    record Pool2D(Padding padding, int strideW, int strideH, int filterWidth, int filterHeight,
                  Activation activation) implements OpOptions {
        @Override
        public int unionType() {
            return 5;
        }
    }

    record FullyConnected(Activation activation, int weightsFormat, boolean keepNumDims,
                          boolean asymmetricQuantizeInputs) implements OpOptions {
        @Override
        public int unionType() {
            return 8;
        }
    }

    record Softmax(float beta) implements OpOptions {
        @Override
        public int unionType() {
            return 9;
        }
    }

    record Concatenation(int axis, Activation activation) implements OpOptions {
        @Override
        public int unionType() {
            return 10;
        }
    }

    record Add(Activation activation) implements OpOptions {
        @Override
        public int unionType() {
            return 11;
        }
    }

    /** new_shape may be null (the shape then comes from the second input or the output). */
    record Reshape(int[] newShape) implements OpOptions {
        @Override
        public int unionType() {
            return 17;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reshape r && Arrays.equals(newShape, r.newShape);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(newShape);
        }

        @Override
        public String toString() {
            return "Reshape[newShape=" + Arrays.toString(newShape) + "]";
        }
    }

    record Mul(Activation activation) implements OpOptions {
        @Override
        public int unionType() {
            return 21;
        }
    }

    record Pad() implements OpOptions {
        @Override
        public int unionType() {
            return 22;
        }
    }

    record Reducer(boolean keepDims) implements OpOptions {
        @Override
        public int unionType() {
            return 27;
        }
    }

    record Sub(Activation activation) implements OpOptions {
        @Override
        public int unionType() {
            return 28;
        }
    }

    record Squeeze(int[] squeezeDims) implements OpOptions {
        @Override
        public int unionType() {
            return 30;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Squeeze s && Arrays.equals(squeezeDims, s.squeezeDims);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(squeezeDims);
        }

        @Override
        public String toString() {
            return "Squeeze[squeezeDims=" + Arrays.toString(squeezeDims) + "]";
        }
    }

    record Dequantize() implements OpOptions {
        @Override
        public int unionType() {
            return 38;
        }
    }

    record PadV2() implements OpOptions {
        @Override
        public int unionType() {
            return 43;
        }
    }

    record FakeQuant(float min, float max, int numBits, boolean narrowRange) implements OpOptions {
        @Override
        public int unionType() {
            return 58;
        }
    }

    record Quantize() implements OpOptions {
        @Override
        public int unionType() {
            return 89;
        }
    }
}
