package io.qbridge.backend.javaref.kernels;

import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.ops.ConvOps.Requant;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * OutputStage's branch-free requantization equals FixedPoint.multiplyByQuantizedMultiplier
 * (TFLite's double-rounding MultiplyByQuantizedMultiplier) for every shift QuantizeMultiplier
 * makes, multipliers at the ends of their range and random ones, and accumulators at the int32
 * extremes, at exact rounding ties of both steps, and at random.
 */
class OutputStageTest {
    private static final int[] EDGE_ACCS = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -65536, -3, -2, -1, 0, 1, 2, 3,
            65535, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    @Test
    void sameAsMultiplyByQuantizedMultiplier() {
        Random r = new Random(20240601);
        long checked = 0;
        for (int shift = -31; shift <= 30; shift++) {
            int[] multipliers = {0, 1 << 30, (1 << 30) + 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
                    (1 << 30) + r.nextInt(1 << 30), (1 << 30) + r.nextInt(1 << 30)};
            int[] shifts = new int[multipliers.length];
            java.util.Arrays.fill(shifts, shift);
            OutputStage stage = new OutputStage(new Requant(0, 0, 0, multipliers, shifts, -128, 127, 0f, 0f));
            for (int c = 0; c < multipliers.length; c++) {
                for (int acc : EDGE_ACCS) {
                    check(stage, acc, c, multipliers[c], shift);
                    checked++;
                }
                for (int i = 0; i < 20_000; i++) {
                    int acc = switch (i % 4) {
                        case 0 -> r.nextInt();
                        case 1 -> r.nextInt(1 << 20) - (1 << 19);
                        case 2 -> r.nextInt(256) - 128;
                        default -> tieFor(r, multipliers[c], shift);
                    };
                    check(stage, acc, c, multipliers[c], shift);
                    checked++;
                }
            }
        }
        assertEquals(62L * 7 * (EDGE_ACCS.length + 20_000), checked);
    }

    /** An accumulator whose high product lands on or next to a rounding tie of the final shift. */
    private static int tieFor(Random r, int multiplier, int shift) {
        int right = Math.max(-shift, 0);
        if (multiplier == 0 || right == 0) {
            return r.nextInt();
        }
        // h = acc * m / 2^31 (about); aim h at (odd) * 2^(right - 1) + {-1, 0, 1}.
        long targetH = ((long) (r.nextInt(1 << 10) - (1 << 9)) * 2 + 1) * (1L << (right - 1)) + r.nextInt(3) - 1;
        double acc = targetH * 2147483648.0 / multiplier;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(acc) + r.nextInt(3) - 1));
    }

    private static void check(OutputStage stage, int acc, int c, int multiplier, int shift) {
        assertEquals(FixedPoint.multiplyByQuantizedMultiplier(acc, multiplier, shift), stage.requantize(acc, c),
                "acc " + acc + " multiplier " + multiplier + " shift " + shift);
    }

    @Test
    void storesTheReferenceBytesPerTensorAndPerChannel() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(40);
            boolean perTensor = trial % 2 == 0;
            int[] multipliers = new int[n];
            int[] shifts = new int[n];
            for (int c = 0; c < n; c++) {
                multipliers[c] = perTensor && c > 0 ? multipliers[0] : (1 << 30) + r.nextInt(1 << 30);
                shifts[c] = perTensor && c > 0 ? shifts[0] : r.nextInt(38) - 31;
            }
            int zero = r.nextInt(256) - 128;
            int lo = -128 + r.nextInt(100);
            int hi = 127 - r.nextInt(100);
            OutputStage stage = new OutputStage(new Requant(0, 0, zero, multipliers, shifts, lo, hi, 0f, 0f));
            int[] acc = new int[n];
            for (int c = 0; c < n; c++) {
                acc[c] = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(1 << 16) - (1 << 15);
            }
            byte[] contiguous = new byte[n + 3];
            stage.store(acc, 0, n, contiguous, 3);
            byte[] strided = new byte[3 * n];
            stage.storeStrided(acc, 0, n, strided, 1, 3);
            for (int c = 0; c < n; c++) {
                int expected = Math.max(lo, Math.min(hi,
                        FixedPoint.multiplyByQuantizedMultiplier(acc[c], multipliers[c], shifts[c]) + zero));
                assertEquals((byte) expected, contiguous[3 + c], "trial " + trial + " channel " + c);
                int expected0 = Math.max(lo, Math.min(hi,
                        FixedPoint.multiplyByQuantizedMultiplier(acc[c], multipliers[0], shifts[0]) + zero));
                assertEquals((byte) expected0, strided[1 + 3 * c], "trial " + trial + " strided " + c);
            }
        }
    }

    @Test
    void refusesMultipliersQuantizeMultiplierNeverMakes() {
        assertThrows(IllegalArgumentException.class, () -> new OutputStage(
                new Requant(0, 0, 0, new int[] {Integer.MIN_VALUE}, new int[] {0}, 0, 255, 0f, 0f)));
    }
}
