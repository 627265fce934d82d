package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.ops.ElementwiseRandomizedTest.count;
import static io.qbridge.ops.ElementwiseRandomizedTest.randomParams;
import static io.qbridge.ops.ElementwiseRandomizedTest.randomQ;
import static io.qbridge.testing.SingleOpHarness.bytes;
import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static io.qbridge.testing.SingleOpHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized CONCATENATION, PAD, QUANTIZE and DEQUANTIZE (fixed seeds), each result identical for
 * 1 and 3 threads:
 * <ul>
 * <li>CONCATENATION of 1 to 4 inputs of rank 1 to 5 on a random (possibly negative) axis: float and
 * int8 exact against an index-by-index reference; uint8 with differing input parameters within
 * half an output step (plus float error) of the real values, inside the output's range;</li>
 * <li>PAD of rank 1 to 5 with random paddings: exact against a reference, pad value 0 / the zero
 * point / a PADV2 constant;</li>
 * <li>QUANTIZE then DEQUANTIZE within half a step of the input inside the range; requantization
 * between uint8/int8/int16 within 3/4 of an output step of the real value (double rounding).</li>
 * </ul>
 */
class DataMovementRandomizedTest {

    record Case(String kind, int seed) {
        @Override
        public String toString() {
            return kind + " seed " + seed;
        }
    }

    static Stream<Object[]> cases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (int seed = 1; seed <= 20; seed++) {
                for (String kind : new String[] {"concat float", "concat int8", "concat uint8", "pad", "quantize",
                    "requantize"}) {
                    list.add(new Object[] {backend, new Case(kind, seed)});
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void randomized(Interpreter.Backend backend, Case c) {
        Random r = new Random(c.seed * 7_919L + c.kind.hashCode());
        switch (c.kind) {
            case "concat float": concat(backend, r, DataType.FLOAT32); break;
            case "concat int8": concat(backend, r, DataType.INT8); break;
            case "concat uint8": concat(backend, r, DataType.UINT8); break;
            case "pad": pad(backend, r); break;
            case "quantize": quantize(backend, r); break;
            default: requantize(backend, r);
        }
    }

    private static int[] randomShape(Random r, int rank) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = 1 + r.nextInt(4);
        }
        return s;
    }

    // ---------------------------------------------------------------- CONCATENATION

    private static void concat(Interpreter.Backend backend, Random r, DataType t) {
        int rank = 1 + r.nextInt(5);
        int axis = r.nextInt(rank);
        int inputs = 1 + r.nextInt(4);
        int[] base = randomShape(r, rank);
        int[][] shapes = new int[inputs][];
        int[] out = base.clone();
        out[axis] = 0;
        for (int i = 0; i < inputs; i++) {
            shapes[i] = base.clone();
            shapes[i][axis] = 1 + r.nextInt(3);
            out[axis] += shapes[i][axis];
        }
        QuantParams qo = t == DataType.FLOAT32 ? QuantParams.NONE : randomParams(r, t, 0.02f, 0.1f);
        QuantParams[] q = new QuantParams[inputs];
        byte[][] data = new byte[inputs][];
        float[][] real = new float[inputs][];
        int[][] raw = new int[inputs][];
        for (int i = 0; i < inputs; i++) {
            int n = count(shapes[i]);
            real[i] = new float[n];
            if (t == DataType.FLOAT32) {
                q[i] = QuantParams.NONE;
                for (int k = 0; k < n; k++) {
                    real[i][k] = r.nextFloat() * 10 - 5;
                }
                data[i] = floats(real[i]);
            } else {
                // int8 inputs must share the output's parameters (TFLite's rule); uint8 may differ.
                q[i] = t == DataType.INT8 || r.nextInt(3) == 0 ? qo : randomParams(r, t, 0.02f, 0.1f);
                raw[i] = randomQ(r, t, n);
                data[i] = bytes(raw[i]);
                for (int k = 0; k < n; k++) {
                    real[i][k] = q[i].scale() * (raw[i][k] - q[i].zeroPoint());
                }
            }
        }
        int signedAxis = r.nextBoolean() ? axis : axis - rank;
        byte[] one = runConcat(backend, 1, t, shapes, q, data, out, qo, signedAxis);
        assertArrayEquals(one, runConcat(backend, 3, t, shapes, q, data, out, qo, signedAxis));
        // Reference: walk the output, find which input and element each position comes from.
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= out[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= out[d];
        }
        float[] got = t == DataType.FLOAT32 ? toFloats(one) : null;
        int[] gotQ = t == DataType.FLOAT32 ? null : toInts(one, t);
        int o = 0;
        for (int row = 0; row < outer; row++) {
            for (int i = 0; i < inputs; i++) {
                int len = shapes[i][axis] * inner;
                for (int k = 0; k < len; k++, o++) {
                    int src = row * len + k;
                    if (t == DataType.FLOAT32) {
                        assertTrue(Float.compare(real[i][src], got[o]) == 0, "element " + o);
                    } else if (t == DataType.INT8) {
                        assertTrue(raw[i][src] == gotQ[o], "element " + o);
                    } else {
                        float lo = qo.scale() * (0 - qo.zeroPoint());
                        float hi = qo.scale() * (255 - qo.zeroPoint());
                        float expected = Math.max(lo, Math.min(hi, real[i][src]));
                        float actual = qo.scale() * (gotQ[o] - qo.zeroPoint());
                        assertTrue(Math.abs(actual - expected) <= qo.scale() * 0.5001f + 1e-5f,
                                "element " + o + ": " + actual + " vs " + expected);
                    }
                }
            }
        }
    }

    private static byte[] runConcat(Interpreter.Backend backend, int threads, DataType t, int[][] shapes,
                                    QuantParams[] q, byte[][] data, int[] out, QuantParams qo, int axis) {
        SingleOpHarness h = new SingleOpHarness();
        int[] in = new int[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = i == 1 ? h.constant(t, shapes[i], q[i], data[i]) : h.input(t, shapes[i], q[i], data[i]);
        }
        h.output(t, out, qo);
        h.op(BuiltinOperator.CONCATENATION, in, new OpOptions.Concatenation(axis, Activation.NONE));
        return h.run(backend, threads);
    }

    // ---------------------------------------------------------------- PAD

    private static void pad(Interpreter.Backend backend, Random r) {
        int rank = 1 + r.nextInt(5);
        int[] in = randomShape(r, rank);
        int[] before = new int[rank];
        int[] after = new int[rank];
        int[] out = new int[rank];
        int[] paddings = new int[2 * rank];
        for (int d = 0; d < rank; d++) {
            before[d] = r.nextInt(3);
            after[d] = r.nextInt(3);
            out[d] = in[d] + before[d] + after[d];
            paddings[2 * d] = before[d];
            paddings[2 * d + 1] = after[d];
        }
        int mode = r.nextInt(3);   // 0: float PAD, 1: int8 PAD (zero point), 2: float PADV2
        DataType t = mode == 1 ? DataType.INT8 : DataType.FLOAT32;
        QuantParams q = mode == 1 ? randomParams(r, t, 0.01f, 0.1f) : QuantParams.NONE;
        int n = count(in);
        float[] values = new float[n];
        int[] qv = randomQ(r, DataType.INT8, n);
        for (int i = 0; i < n; i++) {
            values[i] = r.nextFloat() * 4 - 2;
        }
        float padValue = mode == 2 ? r.nextFloat() * 10 - 5 : 0f;
        byte[] input = mode == 1 ? bytes(qv) : floats(values);
        byte[] one = runPad(backend, 1, t, q, in, paddings, input, out, mode == 2 ? floats(padValue) : null);
        assertArrayEquals(one, runPad(backend, 3, t, q, in, paddings, input, out,
                mode == 2 ? floats(padValue) : null));
        int total = count(out);
        float[] gotF = mode == 1 ? null : toFloats(one);
        int[] gotQ = mode == 1 ? toInts(one, t) : null;
        for (int o = 0; o < total; o++) {
            int rest = o;
            int src = 0;
            int stride = 1;
            boolean inside = true;
            for (int d = rank - 1; d >= 0; d--) {
                int coord = rest % out[d] - before[d];
                rest /= out[d];
                if (coord < 0 || coord >= in[d]) {
                    inside = false;
                }
                src += coord * stride;
                stride *= in[d];
            }
            if (mode == 1) {
                assertTrue(gotQ[o] == (inside ? qv[src] : q.zeroPoint()), "element " + o);
            } else {
                assertTrue(Float.compare(gotF[o], inside ? values[src] : padValue) == 0, "element " + o);
            }
        }
    }

    private static byte[] runPad(Interpreter.Backend backend, int threads, DataType t, QuantParams q, int[] in,
                                 int[] paddings, byte[] input, int[] out, byte[] padValue) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(t, in, q, input);
        int p = h.constant(DataType.INT32, new int[] {in.length, 2}, QuantParams.NONE,
                SingleOpHarness.int32s(paddings));
        h.output(t, out, q);
        if (padValue == null) {
            h.op(BuiltinOperator.PAD, new int[] {x, p}, new OpOptions.Pad());
        } else {
            int v = h.constant(t, new int[] {1}, q, padValue);
            h.op(BuiltinOperator.PADV2, new int[] {x, p, v}, new OpOptions.PadV2());
        }
        return h.run(backend, threads);
    }

    // ---------------------------------------------------------------- QUANTIZE / DEQUANTIZE

    private static void quantize(Interpreter.Backend backend, Random r) {
        DataType t = new DataType[] {DataType.UINT8, DataType.INT8, DataType.INT16}[r.nextInt(3)];
        int[] shape = randomShape(r, 1 + r.nextInt(4));
        int n = count(shape);
        QuantParams q = randomParams(r, t, 0.001f, 0.1f);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (r.nextFloat() - 0.5f) * 300 * q.scale();
        }
        SingleOpHarness h = new SingleOpHarness();
        int in = h.input(DataType.FLOAT32, shape, QuantParams.NONE, floats(x));
        h.output(t, shape, q);
        h.op(BuiltinOperator.QUANTIZE, new int[] {in}, new OpOptions.Quantize());
        byte[] quantized = h.run(backend, 1);
        assertArrayEquals(quantized, h.run(backend, 3));

        SingleOpHarness back = new SingleOpHarness();
        int qin = back.input(t, shape, q, quantized);
        back.output(DataType.FLOAT32, shape, QuantParams.NONE);
        back.op(BuiltinOperator.DEQUANTIZE, new int[] {qin}, new OpOptions.Dequantize());
        float[] restored = toFloats(back.run(backend, 1));
        float lo = q.scale() * (t.minValue() - q.zeroPoint());
        float hi = q.scale() * (t.maxValue() - q.zeroPoint());
        for (int i = 0; i < n; i++) {
            float expected = Math.max(lo, Math.min(hi, x[i]));
            assertTrue(Math.abs(restored[i] - expected) <= q.scale() * 0.5001f,
                    "element " + i + ": " + restored[i] + " vs " + x[i]);
        }
    }

    private static void requantize(Interpreter.Backend backend, Random r) {
        DataType[] types = {DataType.UINT8, DataType.INT8, DataType.INT16};
        DataType ti = types[r.nextInt(3)];
        DataType to = types[r.nextInt(3)];
        int[] shape = randomShape(r, 1 + r.nextInt(4));
        int n = count(shape);
        QuantParams qi = randomParams(r, ti, 0.01f, 0.1f);
        QuantParams qo = randomParams(r, to, 0.01f, 0.1f);
        int[] v = randomQ(r, ti, n);
        byte[] input = ti == DataType.INT16 ? SingleOpHarness.int16s(v) : bytes(v);
        SingleOpHarness h = new SingleOpHarness();
        int in = h.input(ti, shape, qi, input);
        h.output(to, shape, qo);
        h.op(BuiltinOperator.QUANTIZE, new int[] {in}, new OpOptions.Quantize());
        byte[] out = h.run(backend, 1);
        assertArrayEquals(out, h.run(backend, 3));
        int[] got = to == DataType.INT16 ? SingleOpHarness.toInt16s(out) : toInts(out, to);
        float lo = qo.scale() * (to.minValue() - qo.zeroPoint());
        float hi = qo.scale() * (to.maxValue() - qo.zeroPoint());
        for (int i = 0; i < n; i++) {
            float real = qi.scale() * (v[i] - qi.zeroPoint());
            float expected = Math.max(lo, Math.min(hi, real));
            float actual = qo.scale() * (got[i] - qo.zeroPoint());
            // TFLite rounds twice (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), so
            // the result may be up to 3/4 of a step off, not 1/2: e.g. -22.47 steps becomes -23.
            assertTrue(Math.abs(actual - expected) <= qo.scale() * 0.7501f + 1e-4f,
                    ti + "->" + to + " element " + i + ": " + actual + " vs " + expected + " in " + qi + " out " + qo + " q " + v[i] + " got " + got[i]);
        }
    }
}
