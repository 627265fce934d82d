package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.PeerCase;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.testing.TfliteTestQuantization;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * QUANTIZE and DEQUANTIZE against the vectors of TFLite's kernel tests
 * (tensorflow/lite/kernels/quantize_test.cc, dequantize_test.cc: exact integers for QUANTIZE)
 * and TFLite Micro's (tensorflow/lite/micro/kernels/quantize_test.cc: outputs equal to the
 * golden values quantized by FloatToQuantizedType; dequantize_test.cc).
 * QuantizeTest runs these cases on every backend.
 */
final class QuantizePeerVectors {
    private QuantizePeerVectors() {
    }

    private static final String LITE_Q = "lite quantize_test.cc ";
    private static final String LITE_DQ = "lite dequantize_test.cc ";
    private static final String MICRO_Q = "micro quantize_test.cc ";
    private static final String MICRO_DQ = "micro dequantize_test.cc ";
    private static final DataType U8 = DataType.UINT8;
    private static final DataType I8 = DataType.INT8;
    private static final DataType I16 = DataType.INT16;
    private static final DataType I32 = DataType.INT32;

    /** test_util.h's TensorData quantization: an explicit (scale, zero point), or a (min, max) range. */
    private record Q(DataType type, float min, float max, float scale, int zeroPoint) {
        static Q range(DataType t, float min, float max) {
            return new Q(t, min, max, 0f, 0);
        }

        static Q explicit(DataType t, float scale, int zeroPoint) {
            return new Q(t, 0f, 0f, scale, zeroPoint);
        }

        QuantParams params() {
            return min == 0f && max == 0f ? QuantParams.perTensor(scale, zeroPoint)
                    : TfliteTestQuantization.params(min, max, type);
        }
    }

    static List<PeerCase> cases() {
        List<PeerCase> c = new ArrayList<>();
        liteQuantize(c);
        liteRequantize(c);
        microQuantize(c);
        dequantize(c);
        return c;
    }

    // ---------------------------------------------------------------- QUANTIZE float -> integer

    private static void liteQuantize(List<PeerCase> c) {
        float[] v = {-63.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 64};
        float[] v16 = {-63.5f, -63, -3, -2, -1, 1, 2, 3, 63.5f, 64};
        int[] u8 = {0, 1, 2, 3, 4, 251, 252, 253, 254, 255};
        int[] i8 = {-128, -127, -126, -125, -124, 123, 124, 125, 126, 127};
        int[] i16 = {-12700, -12600, -600, -400, -200, 200, 400, 600, 12700, 12800};
        int[] s = {2, 5};
        c.add(quantizeFloat(LITE_Q + "QuantizeOpTest.UINT8", s, v, U8, QuantParams.perTensor(0.5f, 127), u8));
        c.add(quantizeFloat(LITE_Q + "QuantizeOpTest.INT8", s, v, I8, QuantParams.perTensor(0.5f, -1), i8));
        c.add(quantizeFloat(LITE_Q + "QuantizeOpTest.INT16", s, v16, I16, QuantParams.perTensor(0.005f, 0), i16));
        c.add(quantizeFloat(LITE_Q + "QuantizePerChannelOpTest.UINT8", s, v, U8,
                QuantParams.perChannel(new float[] {0.5f, 0.5f}, new int[] {127, 127}, 0), u8));
        c.add(quantizeFloat(LITE_Q + "QuantizePerChannelOpTest.INT8", s, v, I8,
                QuantParams.perChannel(new float[] {0.5f, 0.5f}, new int[] {-1, -1}, 0), i8));
        c.add(quantizeFloat(LITE_Q + "QuantizePerChannelOpTest.INT16", s, v16, I16,
                QuantParams.perChannel(new float[] {0.005f, 0.005f}, new int[] {0, 0}, 0), i16));
    }

    private static void liteRequantize(List<PeerCase> c) {
        float[] ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        float[] twenty = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        int[] odd = {1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
        int[] oddNeon = {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1};
        int[] zeroTo9 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] zeroTo9Neon = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        int[] u8odd = {129, 131, 133, 135, 137, 139, 141, 143, 145, 147};
        int[] u8oddNeon = {129, 131, 133, 135, 137, 139, 141, 143, 145, 147, 147, 145, 143, 141, 139, 137, 135, 133,
            131, 129};
        int[] u8seq = {128, 129, 130, 131, 132, 133, 134, 135, 136, 137};
        int[] u8seqNeon = {128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 137, 136, 135, 134, 133, 132, 131, 130,
            129, 128};
        int[] s = {1, 1, 2, 5};
        int[] sn = {1, 1, 4, 5};
        c.add(requant(LITE_Q + "QuantizeOpTest.Int32Int16", s, Q.explicit(I32, 1f, 0), ten, Q.explicit(I16, 0.5f, 0),
                new int[] {2, 4, 6, 8, 10, 12, 14, 16, 18, 20}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int32Int16SameScale", s, Q.explicit(I32, 0.5f, 0),
                new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 37767}, Q.explicit(I16, 0.5f, 0),
                new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 32767}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int32Int8SameScale", s, Q.explicit(I32, 0.5f, 0), ten,
                Q.explicit(I8, 0.5f, -1), odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int32Int8LargerScale", s, Q.explicit(I32, 0.5f, 0), ten,
                Q.explicit(I8, 1f, -1), zeroTo9));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int32Int8SmallerScale", s, Q.explicit(I32, 1f, 0), ten,
                Q.explicit(I8, 0.5f, -1), odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int16", s, Q.explicit(I16, 1f, 0), ten, Q.explicit(I16, 0.5f, 0),
                new int[] {2, 4, 6, 8, 10, 12, 14, 16, 18, 20}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int16SameScale", s, Q.explicit(I16, 0.5f, 0),
                new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 37767}, Q.explicit(I16, 0.5f, 0),
                new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 32767}));
        Q i8half = Q.range(I8, -63.5f, 64f);
        Q i8one = Q.range(I8, -127f, 128f);
        Q u8half = Q.range(U8, -63.5f, 64f);
        Q u8one = Q.range(U8, -127f, 128f);
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Int8SameScale", s, i8half, ten, i8half, odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Int8LargerScale", s, i8half, ten, i8one, zeroTo9));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Int8SmallerScale", s, i8one, ten, i8half, odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Int8SmallerScaleNeonPath", sn, i8one, twenty, i8half, oddNeon));
        c.add(requant(LITE_Q + "QuantizeOpTest.UInt8UInt8SameScale", s, u8half, ten, u8half, u8odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Uint8LargerScale", s, u8half, ten, u8one, u8seq));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Uint8SmallerScale", s, u8one, ten, u8half, u8odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Uint8SmallerScaleNeonPath", sn, u8one, twenty, u8half,
                u8oddNeon));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Uint8SameScale", s, i8one, ten, u8one, u8seq));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8UInt8SameScaleNeonPath", sn, i8one, twenty, u8one, u8seqNeon));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Uint8SmallerScale", s, i8one, ten, u8half, u8odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Uint8SmallerScaleNeonPath", sn, i8one, twenty, u8half, u8oddNeon));
        Q u8two = Q.range(U8, -254f, 256f);
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Uint8LargerScale", s, i8one, ten, u8two,
                new int[] {128, 128, 129, 129, 130, 130, 131, 131, 132, 132}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int8Uint8LargerScaleNeonPath", sn, i8one, twenty, u8two,
                new int[] {128, 128, 129, 129, 130, 130, 131, 131, 132, 132, 132, 132, 131, 131, 130, 130, 129, 129,
                    128, 128}));
        c.add(requant(LITE_Q + "QuantizeOpTest.UInt8Int8SameScale128Diff", s, u8one, ten, i8one, zeroTo9));
        c.add(requant(LITE_Q + "QuantizeOpTest.UInt8Int8SameScale128DiffNeonPath", sn, u8one, twenty, i8one,
                zeroTo9Neon));
        Q u8pos = Q.range(U8, 0f, 127.5f);
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Int8SameScaleArbitraryDiff", s, u8pos, ten, i8half, odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Int8SameScaleArbitraryDiffNeonPath", sn, u8pos, twenty, i8half,
                oddNeon));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Int8LargerScale", s, u8pos, ten, i8one, zeroTo9));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Int8LargerScaleNeonPath", sn, u8pos, twenty, i8one, zeroTo9Neon));
        c.add(requant(LITE_Q + "QuantizeOpTest.Uint8Int8SmallerScale", s, Q.range(U8, 0f, 255f), ten, i8half, odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int8SameScale", s, Q.explicit(I16, 0.5f, 0), ten,
                Q.explicit(I8, 0.5f, -1), odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16ZeroPointInt8", s, Q.explicit(I16, 0.5f, -1), ten,
                Q.explicit(I8, 0.5f, -1), odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int8LargerScale", s, Q.explicit(I16, 0.5f, 0), ten,
                Q.explicit(I8, 1f, -1), zeroTo9));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int8SmallerScale", s, Q.explicit(I16, 1f, 0), ten,
                Q.explicit(I8, 0.5f, -1), odd));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int8SmallerScaleNeonPath", sn, Q.explicit(I16, 1f, 0), twenty,
                Q.explicit(I8, 0.5f, -1), oddNeon));
        Q i16full = Q.range(I16, Short.MIN_VALUE, Short.MAX_VALUE);
        Q i32full = Q.range(I32, Integer.MIN_VALUE, (float) Integer.MAX_VALUE);
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int32SameScale", s, i16full, ten, i32full,
                new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int32LargerScale", s,
                Q.range(I16, (float) (Short.MIN_VALUE / 2.0), (float) (Short.MAX_VALUE / 2.0)), ten, i32full,
                new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        c.add(requant(LITE_Q + "QuantizeOpTest.Int16Int32SmallerScale", s, i16full, ten,
                Q.range(I32, (float) (Integer.MIN_VALUE / 2.0), (float) (Integer.MAX_VALUE / 2.0)),
                new int[] {2, 4, 6, 8, 10, 12, 14, 16, 18, 20}));
    }

    private static void microQuantize(List<PeerCase> c) {
        int[] s = {2, 5};
        float[] v = {-63.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 64};
        float[] v127 = {-128, -127, -126, -125, -124, 123, 124, 125, 126, 127};
        float[] v64 = {-64, -62, -60, -58, -56, 54, 56, 58, 60, 62};
        float[] v32 = {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31};
        c.add(microFloat(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16", s, v, I16, 0.5f, -1));
        c.add(microFloat(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16NoScale", s, v127, I16, 1f, 0));
        // QuantizeOpTestInt8 in the source quantizes into int16 buffers; transcribed as written.
        c.add(microFloat(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8", s, v, I16, 0.5f, -1));
        c.add(microFloat(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8NoZeroPoint", s, v32, I8, 0.5f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16toInt16", s, v64, I16, 2f, 0, I16, 0.5f, 32));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16toInt16NoZeroPoint", s, v32, I16, 1f, 0, I16,
                0.5f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toInt8", s, v64, I8, 2f, 0, I8, 0.5f, 32));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toInt8NoZeroPoint", s, v32, I8, 1f, 0, I8, 0.5f,
                0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toInt16", s, v64, I8, 2f, 0, I16, 0.5f, 32));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt32toInt16", s, v32, I32, 0.4f, 0, I16, 1f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt32toInt8", s, v32, I32, 0.4f, 0, I8, 1f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16toInt8_2", s, v64, I16, 2f, 0, I8, 0.5f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toUInt8Fast", s, v32, I8, 1f, 0, U8, 0.5f, 128));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toUInt8Normal", s, v32, I8, 1f, 50, U8, 1f,
                110));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestUInt8toInt8Fast", s, v32, U8, 0.4f, 0, I8, 1f,
                -128));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestUInt8toInt8Normal", s, v32, U8, 1f, 50, I8, 0.3f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt8toInt32", s, v32, I8, 1f, 0, I32, 0.5f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16toInt32", s, v32, I16, 1f, 0, I32, 0.5f, 0));
        c.add(microRequant(MICRO_Q + "QuantizeTest.QuantizeOpTestInt16toInt8", s, v32, I16, 0.4f, 0, I8, 1f, 0));
    }

    // ---------------------------------------------------------------- DEQUANTIZE

    private static void dequantize(List<PeerCase> c) {
        float[] v = {-63.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 64};
        int[] s = {2, 5};
        c.add(dequant(LITE_DQ + "DequantizeOpTest.UINT8", U8, s, QuantParams.perTensor(0.5f, 127),
                new int[] {0, 1, 2, 3, 4, 251, 252, 253, 254, 255}, v, 1e-5f));
        c.add(dequant(LITE_DQ + "DequantizeOpTest.INT8", I8, s, QuantParams.perTensor(0.5f, -1),
                new int[] {-128, -127, -126, -125, -124, 123, 124, 125, 126, 127}, v, 1e-5f));
        c.add(dequant(LITE_DQ + "DequantizeOpTest.Int16", I16, s, QuantParams.perTensor(0.5f, 0),
                new int[] {-129, -126, -125, -124, -123, 124, 125, 126, 127, 131},
                new float[] {-64.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 65.5f}, 1e-5f));
        c.add(dequant(LITE_DQ + "DequantizePerChannelOpTest.Uint8", U8, s,
                QuantParams.perChannel(new float[] {0.5f, 0.5f}, new int[] {127, 127}, 0),
                new int[] {0, 1, 2, 3, 4, 251, 252, 253, 254, 255}, v, 1e-5f));
        c.add(dequant(LITE_DQ + "DequantizePerChannelOpTest.Int8", I8, s,
                QuantParams.perChannel(new float[] {0.5f, 0.5f}, new int[] {-1, -1}, 0),
                new int[] {-128, -127, -126, -125, -124, 123, 124, 125, 126, 127}, v, 1e-5f));
        float[] halves = {-535.54f, -100.0f, -1.0f, 0f, 1.0f, 100.32f};
        c.add(new PeerCase(LITE_DQ + "DequantizeOpTest.Float16", backend -> {
            int[] bits = new int[halves.length];
            for (int i = 0; i < halves.length; i++) {
                bits[i] = halfBits(halves[i]);
            }
            SingleOpHarness h = new SingleOpHarness();
            int x = h.input(DataType.FLOAT16, new int[] {2, 3}, QuantParams.NONE, SingleOpHarness.int16s(bits));
            h.output(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.DEQUANTIZE, new int[] {x}, new OpOptions.Dequantize());
            assertArrayEquals(halves, toFloats(h.run(backend, 1)), 0.1f);
        }));
        int[] s52 = {5, 2};
        for (DataType t : new DataType[] {I8, I16, U8}) {
            int zp = t == U8 ? 127 : -1;
            String name = t == I8 ? "DequantizeOpTestInt8" : t == I16 ? "DequantizeOpTestInt16" : "DequantizeOpTestUint8";
            c.add(dequant(MICRO_DQ + "DequantizeTest." + name, t, s52, QuantParams.perTensor(0.5f, zp),
                    TfliteTestQuantization.quantizeMicroValues(v, 0.5f, zp, t), v, 0.001f));
        }
    }

    // ---------------------------------------------------------------- builders

    private static byte[] encode(DataType t, int[] v) {
        switch (t) {
            case INT16: return SingleOpHarness.int16s(v);
            case INT32: return SingleOpHarness.int32s(v);
            default: return SingleOpHarness.bytes(v);
        }
    }

    private static int[] decode(DataType t, byte[] b) {
        switch (t) {
            case INT16: return SingleOpHarness.toInt16s(b);
            case INT32: return SingleOpHarness.toInt32s(b);
            default: return SingleOpHarness.toInts(b, t);
        }
    }

    private static int[] runQuantize(Interpreter.Backend backend, int[] shape, DataType in, QuantParams qi,
                                     byte[] input, DataType out, QuantParams qo) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(in, shape, qi, input);
        h.output(out, shape, qo);
        h.op(BuiltinOperator.QUANTIZE, new int[] {x}, new OpOptions.Quantize());
        return decode(out, h.run(backend, 1));
    }

    private static PeerCase quantizeFloat(String name, int[] shape, float[] input, DataType out, QuantParams q,
                                          int[] expected) {
        return new PeerCase(name, backend -> assertArrayEquals(expected,
                runQuantize(backend, shape, DataType.FLOAT32, QuantParams.NONE, floats(input), out, q)));
    }

    /** quantize_test.cc requantization: input fed through SetInputAndQuantize (test_util's Quantize). */
    private static PeerCase requant(String name, int[] shape, Q in, float[] values, Q out, int[] expected) {
        return new PeerCase(name, backend -> {
            QuantParams qi = in.params();
            int[] q = TfliteTestQuantization.quantizeLiteValues(values, qi, in.type());
            assertArrayEquals(expected, runQuantize(backend, shape, in.type(), qi, encode(in.type(), q), out.type(),
                    out.params()));
        });
    }

    /** micro quantize_test.cc TestQuantizeFloat: output equals FloatToQuantizedType of the input. */
    private static PeerCase microFloat(String name, int[] shape, float[] values, DataType out, float scale, int zp) {
        return new PeerCase(name, backend -> assertArrayEquals(TfliteTestQuantization.quantizeMicroValues(values, scale, zp, out),
                runQuantize(backend, shape, DataType.FLOAT32, QuantParams.NONE, floats(values), out,
                        QuantParams.perTensor(scale, zp))));
    }

    /** micro quantize_test.cc TestRequantize: both sides quantized with FloatToQuantizedType. */
    private static PeerCase microRequant(String name, int[] shape, float[] values, DataType in, float inScale,
                                         int inZp, DataType out, float outScale, int outZp) {
        return new PeerCase(name, backend -> {
            int[] q = TfliteTestQuantization.quantizeMicroValues(values, inScale, inZp, in);
            assertArrayEquals(TfliteTestQuantization.quantizeMicroValues(values, outScale, outZp, out),
                    runQuantize(backend, shape, in, QuantParams.perTensor(inScale, inZp), encode(in, q), out,
                            QuantParams.perTensor(outScale, outZp)));
        });
    }

    private static PeerCase dequant(String name, DataType in, int[] shape, QuantParams q, int[] input,
                                    float[] expected, float tolerance) {
        return new PeerCase(name, backend -> {
            SingleOpHarness h = new SingleOpHarness();
            int x = h.input(in, shape, q, encode(in, input));
            h.output(DataType.FLOAT32, shape, QuantParams.NONE);
            h.op(BuiltinOperator.DEQUANTIZE, new int[] {x}, new OpOptions.Dequantize());
            assertArrayEquals(expected, toFloats(h.run(backend, 1)), tolerance);
        });
    }

    /** float to IEEE binary16 bits, round to nearest even (normal range, as the test's values). */
    static int halfBits(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = bits & 0x7FFFFF;
        if (f == 0f) {
            return sign;
        }
        if (exponent <= 0 || exponent >= 31) {
            throw new IllegalArgumentException(f + " is outside binary16's normal range");
        }
        int half = sign | (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return half;
    }
}
