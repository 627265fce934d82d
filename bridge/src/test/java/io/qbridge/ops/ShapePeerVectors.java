package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.PeerCase;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.testing.TfliteTestQuantization;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.qbridge.testing.SingleOpHarness.bytes;
import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.int16s;
import static io.qbridge.testing.SingleOpHarness.int32s;
import static io.qbridge.testing.SingleOpHarness.int64s;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static io.qbridge.testing.SingleOpHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * CONCATENATION, RESHAPE, SQUEEZE, PAD and PADV2 against the vectors of TFLite's kernel tests
 * (tensorflow/lite/kernels/concatenation_test.cc, reshape_test.cc, squeeze_test.cc, pad_test.cc)
 * and TFLite Micro's (tensorflow/lite/micro/kernels/concatenation_test.cc, pad_test.cc,
 * squeeze_test.cc). Data movement is exact; uint8 concatenation with differing parameters is
 * checked against the exact bytes concatenation_test.cc expects. Cases where the source expects
 * a failure must fail to load here, with an exception.
 * ShapeTest runs these cases on every backend.
 */
final class ShapePeerVectors {
    private ShapePeerVectors() {
    }

    private static final String LITE_CONCAT = "lite concatenation_test.cc ";
    private static final String MICRO_CONCAT = "micro concatenation_test.cc ";
    private static final String LITE_RESHAPE = "lite reshape_test.cc ";
    private static final String LITE_SQUEEZE = "lite squeeze_test.cc ";
    private static final String MICRO_SQUEEZE = "micro squeeze_test.cc ";
    private static final String LITE_PAD = "lite pad_test.cc ";
    private static final String MICRO_PAD = "micro pad_test.cc ";

    static List<PeerCase> cases() {
        List<PeerCase> c = new ArrayList<>();
        concatenation(c);
        reshape(c);
        squeeze(c);
        pad(c);
        return c;
    }

    // ---------------------------------------------------------------- CONCATENATION

    private static void concatenation(List<PeerCase> c) {
        float[] a12 = range(1, 12);
        float[] b12 = range(13, 24);
        c.add(concatFloat(LITE_CONCAT + "ThreeDimensionalOneInput", 1, new int[][] {{2, 1, 2}},
                new float[][] {{1, 3, 4, 7}}, new float[] {1, 3, 4, 7}));
        c.add(concatFloat(LITE_CONCAT + "FiveDimensionalOneInput", 2, new int[][] {{2, 1, 2, 1, 3}},
                new float[][] {a12}, a12));
        c.add(concatFloat(LITE_CONCAT + "FiveDimensionalTwoInput", 0, new int[][] {{2, 1, 2, 1, 3}, {2, 1, 2, 1, 3}},
                new float[][] {a12, b12}, range(1, 24)));
        float[] negAxis = {1, 2, 3, 13, 14, 15, 4, 5, 6, 16, 17, 18, 7, 8, 9, 19, 20, 21, 10, 11, 12, 22, 23, 24};
        c.add(concatFloat(LITE_CONCAT + "FiveDimensionalTwoInputNegativeAxes", -2,
                new int[][] {{2, 1, 2, 1, 3}, {2, 1, 2, 1, 3}}, new float[][] {a12, b12}, negAxis));
        float[] in2 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        float[] diff = {1, 3, 1, 2, 3, 4, 5, 6, 4, 7, 7, 8, 9, 10, 11, 12};
        c.add(concatFloat(LITE_CONCAT + "ThreeDimensionalTwoInputsDifferentShapes", 1,
                new int[][] {{2, 1, 2}, {2, 3, 2}}, new float[][] {{1, 3, 4, 7}, in2}, diff));
        c.add(concatFloat(MICRO_CONCAT + "ThreeDimensionalTwoInputsDifferentShapes", 1,
                new int[][] {{2, 1, 2}, {2, 3, 2}}, new float[][] {{1, 3, 4, 7}, in2}, diff));
        c.add(new PeerCase(LITE_CONCAT + "ThreeDimensionalTwoInputsDifferentShapesWrongAxis (must fail)",
                backend -> assertThrows(InvalidModelException.class, () -> concat(backend, DataType.FLOAT32, 0,
                        new int[][] {{2, 1, 2}, {2, 3, 2}}, new QuantParams[] {QuantParams.NONE, QuantParams.NONE},
                        new byte[][] {floats(1, 3, 4, 7), floats(in2)}, new int[] {4, 1, 2}, QuantParams.NONE))));
        c.add(concatFloat(LITE_CONCAT + "OneTrivialInput", 0, new int[][] {{1}}, new float[][] {{5}},
                new float[] {5}));
        float[] t0 = {1, 2, 3, 4, 5, 6};
        float[] t1 = {7, 8, 9, 10, 11, 12};
        c.add(concatFloat(LITE_CONCAT + "TwoDimensionalOneInput", 0, new int[][] {{2, 3}}, new float[][] {t0}, t0));
        float[] axis0 = range(1, 12);
        float[] axis1 = {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12};
        int[] axes = {0, -2, 1, -1};
        float[][] byAxis = {axis0, axis0, axis1, axis1};
        for (int i = 0; i < 4; i++) {
            c.add(concatFloat(LITE_CONCAT + "TwoInputsTwoAxesNegativeAxes axis " + axes[i], axes[i],
                    new int[][] {{2, 3}, {2, 3}}, new float[][] {t0, t1}, byAxis[i]));
            c.add(concatFloat(MICRO_CONCAT + "TwoInputsAllAxesCombinations axis " + axes[i], axes[i],
                    new int[][] {{2, 3}, {2, 3}}, new float[][] {t0, t1}, byAxis[i]));
            c.add(concatUint8Identity(LITE_CONCAT + "TwoInputsTwoAxesNegativeAxesNonQuantized axis " + axes[i],
                    axes[i], new int[][] {{2, 3}, {2, 3}}, new float[][] {t0, t1}, byAxis[i]));
        }
        float[][] four = {{1.0f, 3.0f, 4.0f, 7.0f}, {1.1f, 3.1f, 4.1f, 7.1f}, {1.2f, 3.2f, 4.2f, 7.2f},
            {1.3f, 3.3f, 4.3f, 7.3f}};
        float[] fourOut = {1.0f, 3.0f, 1.1f, 3.1f, 1.2f, 3.2f, 1.3f, 3.3f, 4.0f, 7.0f, 4.1f, 7.1f, 4.2f, 7.2f, 4.3f,
            7.3f};
        int[][] fourShapes = {{2, 1, 2}, {2, 1, 2}, {2, 1, 2}, {2, 1, 2}};
        c.add(concatFloat(LITE_CONCAT + "FourInputs", 2, fourShapes, four, fourOut));
        int[] fourBytes = {137, 157, 138, 158, 139, 159, 140, 160, 167, 197, 168, 198, 169, 199, 170, 200};
        float[][] sameRange = {{-12.7f, 12.8f}, {-12.7f, 12.8f}, {-12.7f, 12.8f}, {-12.7f, 12.8f}};
        c.add(concatUint8(LITE_CONCAT + "FourInputsQuantizedUint8", 2, fourShapes, sameRange, four,
                new float[] {-12.7f, 12.8f}, fourBytes));
        float[][] mixed = {{-10.7f, 10.8f}, {0f, 12.8f}, {-11f, 11.8f}, {0f, 7.4f}};
        c.add(concatUint8(LITE_CONCAT + "FourInputsQuantizedMixedRange", 2, fourShapes, mixed, four,
                new float[] {-12.7f, 12.8f}, fourBytes));
        float[][] clampIn = {{1.0f, -3.0f, -4.0f, -7.0f}, {1.1f, 3.1f, 4.1f, 7.1f}, {1.2f, -3.2f, -4.2f, 7.2f},
            {1.3f, 3.3f, 4.3f, 7.3f}};
        c.add(concatUint8(LITE_CONCAT + "FourInputsQuantizedMixedRangeClampingLogic", 2, fourShapes, mixed, clampIn,
                new float[] {-1f, 1f}, new int[] {255, 0, 255, 255, 255, 0, 255, 255, 0, 0, 255, 255, 0, 255, 255,
                    255}));
        c.add(concatUint8(LITE_CONCAT + "FiveDimensionalTwoInputQuantizedUint8", 0,
                new int[][] {{2, 1, 2, 1, 3}, {2, 1, 2, 1, 3}}, new float[][] {{-12.7f, 12.8f}, {-12.7f, 12.8f}},
                new float[][] {a12, {1.1f, 2.1f, 3.1f, 4.1f, 5.1f, 6.1f, 7.1f, 8.1f, 9.1f, 10.1f, 11.1f, 12.1f}},
                new float[] {-12.7f, 12.8f}, new int[] {137, 147, 157, 167, 177, 187, 197, 207, 217, 227, 237, 247,
                    138, 148, 158, 168, 178, 188, 198, 208, 218, 228, 238, 248}));
        c.add(concatUint8Identity(LITE_CONCAT + "ThreeDimensionalNonQuantizedOneInput", 1, new int[][] {{2, 1, 2}},
                new float[][] {{1, 3, 4, 7}}, new float[] {1, 3, 4, 7}));
        c.add(concatUint8Identity(LITE_CONCAT + "OneTrivialNonQuantizedInput", 0, new int[][] {{1}},
                new float[][] {{5}}, new float[] {5}));
        c.add(concatUint8Identity(LITE_CONCAT + "TwoDimensionalNonQuantizedOneInput", 0, new int[][] {{2, 3}},
                new float[][] {t0}, t0));
        // int8 and int16: equal parameters, copied.
        c.add(concatInts(MICRO_CONCAT + "TwoInputsQuantizedInt8", DataType.INT8, 2, new int[][] {{2, 1, 2}, {2, 1, 2}},
                new int[][] {{1, 2, 3, 4}, {5, 6, 7, 8}}, new int[] {1, 2, 5, 6, 3, 4, 7, 8}));
        c.add(concatInts(MICRO_CONCAT + "TwoInputsQuantizedInt16", DataType.INT16, 2,
                new int[][] {{2, 1, 2}, {2, 1, 2}}, new int[][] {{1, 2, 3, 4}, {5, 6, 7, 8}},
                new int[] {1, 2, 5, 6, 3, 4, 7, 8}));
        c.add(concatInts(MICRO_CONCAT + "TwoInputsQuantizedInt8FiveDimensions", DataType.INT8, 2,
                new int[][] {{2, 1, 2, 1, 3}, {2, 1, 2, 1, 3}}, new int[][] {ints(a12), ints(b12)},
                new int[] {1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18, 7, 8, 9, 10, 11, 12, 19, 20, 21, 22, 23, 24}));
        c.add(concatInts(MICRO_CONCAT + "BoolTypeOneInput", DataType.BOOL, 1, new int[][] {{2, 1, 2}},
                new int[][] {{1, 0, 0, 1}}, new int[] {1, 0, 0, 1}));
        c.add(concatInts(MICRO_CONCAT + "BoolTypeTwoInputs", DataType.BOOL, 1, new int[][] {{2, 1, 2}, {2, 3, 2}},
                new int[][] {{0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
                new int[] {0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}));
        int[] fiveShape = {2, 1, 2, 1, 3};
        c.add(concatFloat(MICRO_CONCAT + "TwoInputsFiveDimensionsAllAxesCombinations axis 0", 0,
                new int[][] {fiveShape, fiveShape}, new float[][] {a12, b12}, range(1, 24)));
        c.add(concatFloat(MICRO_CONCAT + "TwoInputsFiveDimensionsAllAxesCombinations axis 4", 4,
                new int[][] {fiveShape, fiveShape}, new float[][] {a12, b12}, negAxis));
        c.add(concatFloat(MICRO_CONCAT + "TwoInputsFiveDimensionsAllAxesCombinations axis -2", -2,
                new int[][] {fiveShape, fiveShape}, new float[][] {a12, b12}, negAxis));
        // ConcatenationOpPersistentModelTest.PersistentTest: read-only (constant) inputs.
        c.add(new PeerCase(LITE_CONCAT + "ConcatenationOpPersistentModelTest.PersistentTest (constant inputs)",
                backend -> {
                    SingleOpHarness h = new SingleOpHarness();
                    int x = h.constant(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, floats(t0));
                    int y = h.constant(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, floats(t1));
                    h.output(DataType.FLOAT32, new int[] {4, 3}, QuantParams.NONE);
                    h.op(BuiltinOperator.CONCATENATION, new int[] {x, y},
                            new OpOptions.Concatenation(0, Activation.NONE));
                    assertArrayEquals(range(1, 12), toFloats(h.run(backend, 1)));
                }));
    }

    private static byte[] concat(Interpreter.Backend backend, DataType type, int axis, int[][] shapes,
                                 QuantParams[] q, byte[][] data, int[] outShape, QuantParams outQ) {
        SingleOpHarness h = new SingleOpHarness();
        int[] in = new int[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = h.input(type, shapes[i], q[i], data[i]);
        }
        h.output(type, outShape, outQ);
        h.op(BuiltinOperator.CONCATENATION, in, new OpOptions.Concatenation(axis, Activation.NONE));
        return h.run(backend, 1);
    }

    private static int[] concatShape(int[][] shapes, int axis) {
        int rank = shapes[0].length;
        int a = axis < 0 ? axis + rank : axis;
        int[] out = shapes[0].clone();
        out[a] = 0;
        for (int[] s : shapes) {
            out[a] += s[a];
        }
        return out;
    }

    private static PeerCase concatFloat(String name, int axis, int[][] shapes, float[][] values, float[] expected) {
        return new PeerCase(name, backend -> {
            QuantParams[] q = new QuantParams[shapes.length];
            byte[][] data = new byte[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                q[i] = QuantParams.NONE;
                data[i] = floats(values[i]);
            }
            byte[] out = concat(backend, DataType.FLOAT32, axis, shapes, q, data, concatShape(shapes, axis),
                    QuantParams.NONE);
            assertArrayEquals(expected, toFloats(out));
        });
    }

    private static PeerCase concatInts(String name, DataType type, int axis, int[][] shapes, int[][] values,
                                       int[] expected) {
        return new PeerCase(name, backend -> {
            QuantParams p = type == DataType.BOOL ? QuantParams.NONE : QuantParams.perTensor(0.1f, 0);
            QuantParams[] q = new QuantParams[shapes.length];
            byte[][] data = new byte[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                q[i] = p;
                data[i] = type == DataType.INT16 ? int16s(values[i]) : bytes(values[i]);
            }
            byte[] out = concat(backend, type, axis, shapes, q, data, concatShape(shapes, axis), p);
            assertArrayEquals(expected, type == DataType.INT16 ? SingleOpHarness.toInt16s(out) : toInts(out, type));
        });
    }

    /** uint8 inputs quantized from their (min, max) as test_util.h does; the exact output bytes. */
    private static PeerCase concatUint8(String name, int axis, int[][] shapes, float[][] ranges, float[][] values,
                                        float[] outRange, int[] expected) {
        return new PeerCase(name, backend -> {
            QuantParams[] q = new QuantParams[shapes.length];
            byte[][] data = new byte[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                q[i] = TfliteTestQuantization.params(ranges[i][0], ranges[i][1], DataType.UINT8);
                data[i] = bytes(TfliteTestQuantization.quantizeLiteValues(values[i], q[i], DataType.UINT8));
            }
            QuantParams outQ = TfliteTestQuantization.params(outRange[0], outRange[1], DataType.UINT8);
            byte[] out = concat(backend, DataType.UINT8, axis, shapes, q, data, concatShape(shapes, axis), outQ);
            assertArrayEquals(expected, toInts(out, DataType.UINT8));
        });
    }

    /** uint8 with range [0, 255]: scale 1, zero point 0, so the values are their own bytes. */
    private static PeerCase concatUint8Identity(String name, int axis, int[][] shapes, float[][] values,
                                                float[] expected) {
        int[] e = ints(expected);
        float[][] ranges = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            ranges[i] = new float[] {0f, 255f};
        }
        return concatUint8(name, axis, shapes, ranges, values, new float[] {0f, 255f}, e);
    }

    // ---------------------------------------------------------------- RESHAPE

    /** How the new shape is given, as reshape_test.cc's ShapeSpecificationType. */
    private enum ShapeSpec { OPTION, CONSTANT_TENSOR, TENSOR }

    private static void reshape(List<PeerCase> c) {
        for (ShapeSpec spec : ShapeSpec.values()) {
            String p = LITE_RESHAPE + "ReshapeOpTest/" + spec + ".";
            c.add(new PeerCase(p + "MismatchedDimensions (must fail)", backend -> assertThrows(
                    InvalidModelException.class, () -> reshapeRun(backend, spec, new int[] {1, 2, 4, 1},
                            new int[] {2}, new int[] {2, 1}, new int[] {2, 1}, new float[8]))));
            if (spec != ShapeSpec.TENSOR) {
                // With a shape fed at run time TFLite fails in Invoke; qbridge's shapes are static and
                // it never reads that tensor, so the case does not apply.
                c.add(new PeerCase(p + "TooManySpecialDimensions (must fail)", backend -> assertThrows(
                        InvalidModelException.class, () -> reshapeRun(backend, spec, new int[] {1, 2, 4, 1},
                                new int[] {4}, new int[] {-1, -1, 2, 4}, new int[] {1, 1, 2, 4}, new float[8]))));
            }
            c.add(new PeerCase(p + "InvalidShape", backend -> assertArrayEquals(new float[] {5, 6, 7, 8},
                    reshapeRun(backend, spec, new int[] {1, 2, 2}, new int[] {2, 2}, new int[] {1, 2, 2, 1},
                            new int[] {1, 2, 2, 1}, new float[] {5, 6, 7, 8}))));
            c.add(new PeerCase(p + "RegularShapes", backend -> assertArrayEquals(range(1, 8),
                    reshapeRun(backend, spec, new int[] {1, 2, 4, 1}, new int[] {3}, new int[] {2, 2, 2},
                            new int[] {2, 2, 2}, range(1, 8)))));
            c.add(new PeerCase(p + "WithStretchDimension", backend -> assertArrayEquals(range(1, 8),
                    reshapeRun(backend, spec, new int[] {1, 2, 4, 1}, new int[] {3}, new int[] {2, 1, -1},
                            new int[] {2, 1, 4}, range(1, 8)))));
            if (spec != ShapeSpec.CONSTANT_TENSOR) {
                // A zero-element constant has an empty buffer, which the .tflite format cannot tell
                // from "no data": the reader sees a tensor nothing writes and refuses the model.
                c.add(new PeerCase(p + "ScalarOutput", backend -> assertArrayEquals(new float[] {3},
                        reshapeRun(backend, spec, new int[] {1}, new int[] {0}, new int[0], new int[0],
                                new float[] {3}))));
            }
            if (spec == ShapeSpec.OPTION) {
                c.add(new PeerCase(p + "LegacyScalarOutput", backend -> assertArrayEquals(new float[] {3},
                        reshapeRun(backend, spec, new int[] {1}, new int[] {1}, new int[] {0}, new int[0],
                                new float[] {3}))));
            } else if (spec == ShapeSpec.CONSTANT_TENSOR) {
                c.add(new PeerCase(p + "LegacyScalarOutput (must fail)", backend -> assertThrows(
                        InvalidModelException.class, () -> reshapeRun(backend, spec, new int[] {1}, new int[] {1},
                                new int[] {0}, new int[0], new float[] {3}))));
            }
        }
        c.add(new PeerCase(LITE_RESHAPE + "TooManyDimensions (must fail)", backend -> assertThrows(
                InvalidModelException.class, () -> reshapeRun(backend, ShapeSpec.OPTION,
                        new int[] {1, 1, 2, 1, 1, 1, 1, 1, 1}, new int[] {9}, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 2},
                        new int[] {1, 1, 1, 1, 1, 1, 1, 1, 2}, new float[2]))));
    }

    /**
     * reshape_test.cc's three builds: the shape only in the options; also as a constant int32
     * tensor; also as a tensor fed at run time (then the output's static shape is the answer).
     */
    private static float[] reshapeRun(Interpreter.Backend backend, ShapeSpec spec, int[] inShape, int[] shapeShape,
                                      int[] shapeData, int[] outShape, float[] input) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(DataType.FLOAT32, inShape, QuantParams.NONE, floats(input));
        int[] inputs = {x};
        if (spec == ShapeSpec.CONSTANT_TENSOR) {
            inputs = new int[] {x, h.constant(DataType.INT32, shapeShape, QuantParams.NONE, int32s(shapeData))};
        } else if (spec == ShapeSpec.TENSOR) {
            int n = 1;
            for (int d : shapeShape) {
                n *= d;
            }
            int[] fed = new int[n];
            System.arraycopy(shapeData, 0, fed, 0, Math.min(n, shapeData.length));
            inputs = new int[] {x, h.input(DataType.INT32, shapeShape, QuantParams.NONE, int32s(fed))};
        }
        h.output(DataType.FLOAT32, outShape, QuantParams.NONE);
        h.op(BuiltinOperator.RESHAPE, inputs, new OpOptions.Reshape(shapeData));
        return toFloats(h.run(backend, 1));
    }

    // ---------------------------------------------------------------- SQUEEZE

    private static void squeeze(List<PeerCase> c) {
        float[] data = range(1, 24);
        int[] in = {1, 24, 1};
        for (String src : new String[] {LITE_SQUEEZE, MICRO_SQUEEZE}) {
            c.add(squeezeCase(src + "SqueezeAll", in, new int[0], new int[] {24}, data));
            c.add(squeezeCase(src + "SqueezeSelectedAxis", in, new int[] {2}, new int[] {1, 24}, data));
            c.add(squeezeCase(src + "SqueezeNegativeAxis", in, new int[] {-1, 0}, new int[] {24}, data));
        }
        c.add(squeezeCase(LITE_SQUEEZE + "SqueezeAllDims", new int[] {1, 1, 1, 1, 1, 1, 1}, new int[0], new int[0],
                new float[] {3}));
    }

    private static PeerCase squeezeCase(String name, int[] in, int[] dims, int[] out, float[] data) {
        return new PeerCase(name, backend -> assertArrayEquals(data, squeezeRun(backend, in, dims, out, data)));
    }

    private static float[] squeezeRun(Interpreter.Backend backend, int[] in, int[] dims, int[] out, float[] data) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(DataType.FLOAT32, in, QuantParams.NONE, floats(data));
        h.output(DataType.FLOAT32, out, QuantParams.NONE);
        h.op(BuiltinOperator.SQUEEZE, new int[] {x}, new OpOptions.Squeeze(dims));
        return toFloats(h.run(backend, 1));
    }

    // ---------------------------------------------------------------- PAD / PADV2

    private static final DataType[] PADDING_TYPES = {DataType.INT32, DataType.INT64, DataType.INT8, DataType.INT16};

    private static void pad(List<PeerCase> c) {
        for (DataType pt : PADDING_TYPES) {
            String p = LITE_PAD + "PadOpTest." + paddingName(pt) + "Padding";
            c.add(padFloat(p + "SimpleConstTest", pt, new int[] {1, 2, 2, 1}, new int[] {1, 1, 0, 0, 1, 1, 0, 0},
                    new float[] {1, 2, 3, 4}, null, new int[] {3, 2, 4, 1},
                    new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
            c.add(padFloat(p + "SimpleConstImageStyleTest", pt, new int[] {1, 2, 2, 1},
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0}, new float[] {1, 2, 3, 4}, null, new int[] {1, 4, 4, 1},
                    new float[] {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}));
            c.add(padFloat(p + "ZeroHeightConstImageStyleTest", pt, new int[] {1, 0, 2, 1},
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0}, new float[0], null, new int[] {1, 2, 4, 1}, new float[8]));
            c.add(padFloat(p + "ZeroWidthConstImageStyleTest", pt, new int[] {1, 2, 0, 1},
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0}, new float[0], null, new int[] {1, 4, 2, 1}, new float[8]));
            c.add(padFloat(p + "SimpleConst1DTest", pt, new int[] {2}, new int[] {1, 2}, new float[] {2, 3}, null,
                    new int[] {5}, new float[] {0, 2, 3, 0, 0}));
            c.add(padFloat(p + "SimpleConst1DDim0Test", pt, new int[] {0}, new int[] {1, 2}, new float[0], null,
                    new int[] {3}, new float[] {0, 0, 0}));
            c.add(padFloat(p + "AdvancedConstTest", pt, new int[] {1, 2, 3, 1}, new int[] {1, 0, 0, 2, 0, 3, 0, 0},
                    new float[] {1, 2, 3, 4, 5, 6}, null, new int[] {2, 4, 6, 1},
                    new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0,
                        0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
            c.add(padFloat(p + "AdvancedConstImageStyleTest", pt, new int[] {1, 2, 3, 1},
                    new int[] {0, 0, 0, 2, 1, 3, 0, 0}, new float[] {1, 2, 3, 4, 5, 6}, null, new int[] {1, 4, 7, 1},
                    new float[] {0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0}));
            String v2 = LITE_PAD + "PadV2OpTest." + paddingName(pt) + "Padding";
            float[] image = {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0};
            c.add(padFloat(v2 + "SimpleConstTestUint8", pt, new int[] {1, 2, 2, 1}, new int[] {0, 0, 1, 1, 1, 1, 0, 0},
                    new float[] {1, 2, 3, 4}, 0f, new int[] {1, 4, 4, 1}, image));
            c.add(padFloat(v2 + "SimpleConstFloat32ValuedTestUint8", pt, new int[] {1, 2, 2, 1},
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0}, new float[] {1, 2, 3, 4}, 5f, new int[] {1, 4, 4, 1},
                    new float[] {5, 5, 5, 5, 5, 1, 2, 5, 5, 3, 4, 5, 5, 5, 5, 5}));
            c.add(padFloat(v2 + "Simple4DConstFloat32ValuedTest", pt, new int[] {1, 1, 2, 1},
                    new int[] {0, 1, 0, 0, 0, 0, 0, 1}, new float[] {3, 3}, 5f, new int[] {2, 1, 2, 2},
                    new float[] {3, 5, 3, 5, 5, 5, 5, 5}));
            c.add(new PeerCase(v2 + "SimpleConstInt32ValuedTest", backend -> assertArrayEquals(
                    new int[] {5, 5, 5, 5, 5, 1, 2, 5, 5, 3, 4, 5, 5, 5, 5, 5},
                    SingleOpHarness.toInt32s(padRun(backend, DataType.INT32, QuantParams.NONE, pt,
                            new int[] {1, 2, 2, 1}, new int[] {0, 0, 1, 1, 1, 1, 0, 0}, int32s(1, 2, 3, 4), int32s(5),
                            new int[] {1, 4, 4, 1})))));
            c.add(new PeerCase(v2 + "SimpleConstBool", backend -> assertArrayEquals(
                    new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1},
                    toInts(padRun(backend, DataType.BOOL, QuantParams.NONE, pt, new int[] {1, 2, 2, 1},
                            new int[] {0, 0, 1, 1, 1, 1, 0, 0}, bytes(1, 1, 0, 0), bytes(1),
                            new int[] {1, 4, 4, 1}), DataType.UINT8))));
            // half{1.5}, {2.5}, {3.5}, {4.5} padded with half{4}: binary16 bit patterns.
            c.add(new PeerCase(v2 + "SimpleConstFloat16", backend -> assertArrayEquals(
                    new int[] {0x4400, 0x4400, 0x4400, 0x4400, 0x4400, 0x3E00, 0x4100, 0x4400, 0x4400, 0x4300,
                        0x4480, 0x4400, 0x4400, 0x4400, 0x4400, 0x4400},
                    IntStream.of(SingleOpHarness.toInt16s(padRun(backend, DataType.FLOAT16, QuantParams.NONE, pt,
                            new int[] {1, 2, 2, 1}, new int[] {0, 0, 1, 1, 1, 1, 0, 0},
                            int16s(0x3E00, 0x4100, 0x4300, 0x4480), int16s(0x4400), new int[] {1, 4, 4, 1})))
                            .map(v -> v & 0xFFFF).toArray())));
        }
        c.add(new PeerCase(LITE_PAD + "PadOpTest.Int32PaddingInvalidPadValue (must fail)", backend -> assertThrows(
                InvalidModelException.class, () -> padRun(backend, DataType.FLOAT32, QuantParams.NONE, DataType.INT32,
                        new int[] {1, 1, 2, 1}, new int[] {0, 0, 1, -1, 2, -1, 0, 0}, floats(1, 2), null,
                        new int[] {1, 1, 3, 1}))));
        c.add(new PeerCase(LITE_PAD + "PadOpTest.Int32PaddingUnequalDimensions (must fail)", backend -> assertThrows(
                InvalidModelException.class, () -> padRun(backend, DataType.FLOAT32, QuantParams.NONE, DataType.INT32,
                        new int[] {1, 1, 2, 1}, new int[] {1, 1, 2, 2, 3, 3}, floats(1, 2), null,
                        new int[] {3, 5, 8, 1}))));
        c.add(new PeerCase(LITE_PAD + "PadOpTest.RejectsOutputDimensionOverflow (must fail)", backend -> assertThrows(
                InvalidModelException.class, () -> padRun(backend, DataType.FLOAT32, QuantParams.NONE, DataType.INT32,
                        new int[] {1}, new int[] {Integer.MAX_VALUE, 1}, floats(1), null, new int[] {1}))));
        c.add(new PeerCase(LITE_PAD + "PadOpTest.Int32PaddingSimpleDynamicTest (non-constant paddings: unsupported)",
                backend -> assertThrows(UnsupportedModelException.class, () -> {
                    SingleOpHarness h = new SingleOpHarness();
                    int x = h.input(DataType.FLOAT32, new int[] {1, 2, 2, 1}, QuantParams.NONE, floats(1, 2, 3, 4));
                    int p = h.input(DataType.INT32, new int[] {4, 2}, QuantParams.NONE,
                            int32s(0, 0, 1, 1, 1, 1, 0, 0));
                    h.output(DataType.FLOAT32, new int[] {1, 4, 4, 1}, QuantParams.NONE);
                    h.op(BuiltinOperator.PAD, new int[] {x, p}, new OpOptions.Pad());
                    h.run(backend, 1);
                })));
        // Quantized PAD pads with the output zero point.
        for (DataType t : new DataType[] {DataType.UINT8, DataType.INT8, DataType.INT16}) {
            String ty = t == DataType.UINT8 ? "UInt8" : t == DataType.INT8 ? "Int8" : "Int16";
            float max = t == DataType.INT16 ? 32767f / 32768f : 1f;
            c.add(padQuant(LITE_PAD + "QuantizedPadOpTest." + ty + "SimpleConstTest", t, max, new int[] {1, 2, 2, 1},
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0}, new float[] {-0.8f, 0.2f, 0.9f, 0.7f}, new int[] {1, 4, 4, 1},
                    new float[] {0, 0, 0, 0, 0, -0.8f, 0.2f, 0, 0, 0.9f, 0.7f, 0, 0, 0, 0, 0}));
            c.add(padQuant(LITE_PAD + "QuantizedPadOpTest." + ty + "AdvancedConstTest", t, max,
                    new int[] {1, 2, 3, 1}, new int[] {0, 0, 0, 2, 1, 3, 0, 0},
                    new float[] {-0.8f, 0.2f, 0.9f, 0.7f, 0.1f, -0.3f}, new int[] {1, 4, 7, 1},
                    new float[] {0, -0.8f, 0.2f, 0.9f, 0, 0, 0, 0, 0.7f, 0.1f, -0.3f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0}));
        }
        micropad(c);
    }

    private static void micropad(List<PeerCase> c) {
        int[] in = {1, 2, 2, 1};
        int[] pads = {1, 1, 0, 0, 1, 1, 0, 0};
        int[] out = {3, 2, 4, 1};
        float[] golden0 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] golden42 = {42, 42, 42, 42, 42, 42, 42, 42, 42, 1, 2, 42, 42, 3, 4, 42, 42, 42, 42, 42, 42, 42, 42,
            42};
        c.add(padFloat(MICRO_PAD + "PadTest.Test2DFloat", DataType.INT32, in, pads, new float[] {1, 2, 3, 4}, null,
                out, golden0));
        float[] g4 = new float[81];
        g4[40] = 42;
        c.add(padFloat(MICRO_PAD + "PadTest.Test4DFloat", DataType.INT32, new int[] {1, 1, 1, 1},
                new int[] {1, 1, 1, 1, 1, 1, 1, 1}, new float[] {42}, null, new int[] {3, 3, 3, 3}, g4));
        c.add(padFloat(MICRO_PAD + "PadTest.Test2DFloatV2", DataType.INT32, in, pads, new float[] {1, 2, 3, 4}, 42f,
                out, golden42));
        QuantParams unit = QuantParams.perTensor(1f, 0);
        int[] q0 = ints(golden0);
        int[] q42 = ints(golden42);
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt8", backend -> assertArrayEquals(q0, toInts(padRun(backend,
                DataType.INT8, unit, DataType.INT32, in, pads, bytes(1, 2, 3, 4), null, out), DataType.INT8))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt16", backend -> assertArrayEquals(q0,
                SingleOpHarness.toInt16s(padRun(backend, DataType.INT16, unit, DataType.INT32, in, pads,
                        int16s(1, 2, 3, 4), null, out)))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt32", backend -> assertArrayEquals(q0,
                SingleOpHarness.toInt32s(padRun(backend, DataType.INT32, unit, DataType.INT32, in, pads,
                        int32s(1, 2, 3, 4), null, out)))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt8V2", backend -> assertArrayEquals(q42, toInts(padRun(backend,
                DataType.INT8, unit, DataType.INT32, in, pads, bytes(1, 2, 3, 4), bytes(42), out), DataType.INT8))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt16V2", backend -> assertArrayEquals(q42,
                SingleOpHarness.toInt16s(padRun(backend, DataType.INT16, unit, DataType.INT32, in, pads,
                        int16s(1, 2, 3, 4), int16s(42), out)))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt32V2", backend -> assertArrayEquals(q42,
                SingleOpHarness.toInt32s(padRun(backend, DataType.INT32, unit, DataType.INT32, in, pads,
                        int32s(1, 2, 3, 4), int32s(42), out)))));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt8V2ExpectFailurePadValueQuantizationMismatch2 (must fail)",
                backend -> assertThrows(InvalidModelException.class, () -> {
                    SingleOpHarness h = new SingleOpHarness();
                    int x = h.input(DataType.INT8, in, unit, bytes(1, 2, 3, 4));
                    int p = h.constant(DataType.INT32, new int[] {4, 2}, QuantParams.NONE, int32s(pads));
                    int v = h.constant(DataType.INT8, new int[] {1}, QuantParams.perTensor(0.5f, 0), bytes(84));
                    h.output(DataType.INT8, out, unit);
                    h.op(BuiltinOperator.PADV2, new int[] {x, p, v}, new OpOptions.PadV2());
                    h.run(backend, 1);
                })));
        c.add(new PeerCase(MICRO_PAD + "PadTest.Test2DInt8ExpectFailureQuantizationRangeExcludesZero (must fail)",
                backend -> assertThrows(InvalidModelException.class, () -> padRun(backend, DataType.INT8,
                        QuantParams.perTensor(1f, 129), DataType.INT32, in, pads, bytes(1, 2, 3, 4), null, out))));
    }

    private static String paddingName(DataType t) {
        switch (t) {
            case INT64: return "Int64";
            case INT8: return "Int8";
            case INT16: return "Int16";
            default: return "Int32";
        }
    }

    private static byte[] paddingBytes(DataType t, int[] p) {
        switch (t) {
            case INT64: return int64s(IntStream.of(p).asLongStream().toArray());
            case INT8: return bytes(p);
            case INT16: return int16s(p);
            default: return int32s(p);
        }
    }

    /** PAD (padValue null) or PADV2 with a constant pad value, paddings a constant of type pt. */
    private static byte[] padRun(Interpreter.Backend backend, DataType type, QuantParams q, DataType pt, int[] inShape,
                                 int[] paddings, byte[] input, byte[] padValue, int[] outShape) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(type, inShape, q, input);
        int p = h.constant(pt, new int[] {paddings.length / 2, 2}, QuantParams.NONE, paddingBytes(pt, paddings));
        h.output(type, outShape, q);
        if (padValue == null) {
            h.op(BuiltinOperator.PAD, new int[] {x, p}, new OpOptions.Pad());
        } else {
            int v = h.constant(type, new int[] {1}, q, padValue);
            h.op(BuiltinOperator.PADV2, new int[] {x, p, v}, new OpOptions.PadV2());
        }
        return h.run(backend, 1);
    }

    private static PeerCase padFloat(String name, DataType pt, int[] inShape, int[] paddings, float[] input,
                                     Float padValue, int[] outShape, float[] expected) {
        return new PeerCase(name, backend -> assertArrayEquals(expected, toFloats(padRun(backend, DataType.FLOAT32,
                QuantParams.NONE, pt, inShape, paddings, floats(input), padValue == null ? null : floats(padValue),
                outShape))));
    }

    /** pad_test.cc's quantized cases: range [-1, max], dequantized within (max - min) / 255. */
    private static PeerCase padQuant(String name, DataType t, float max, int[] inShape, int[] paddings,
                                     float[] input, int[] outShape, float[] expected) {
        return new PeerCase(name, backend -> {
            QuantParams q = TfliteTestQuantization.params(-1f, max, t);
            int[] qin = TfliteTestQuantization.quantizeLiteValues(input, q, t);
            byte[] out = padRun(backend, t, q, DataType.INT32, inShape, paddings,
                    t == DataType.INT16 ? int16s(qin) : bytes(qin), null, outShape);
            int[] qo = t == DataType.INT16 ? SingleOpHarness.toInt16s(out) : toInts(out, t);
            assertArrayEquals(expected, TfliteTestQuantization.dequantize(qo, q), (max + 1f) / 255f);
        });
    }

    // ---------------------------------------------------------------- helpers

    private static float[] range(int from, int to) {
        float[] r = new float[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static int[] ints(float[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }
}
