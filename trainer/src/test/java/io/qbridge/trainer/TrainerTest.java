package io.qbridge.trainer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    /** A network small enough for finite differences on every parameter. */
    private static final DigitCnn.Architecture TINY = new DigitCnn.Architecture(8, 2, 3, 5, 4);

    private static double loss(DigitCnn net, DigitCnn.Workspace ws, int label) {
        net.forward(ws, null);
        return -Math.log(ws.probs[label]);
    }

    /** Backpropagation agrees with central differences of the loss on every weight and bias. */
    @Test
    void gradientsMatchFiniteDifferences() {
        for (int hidden : new int[] {5, 0}) {
            DigitCnn net = new DigitCnn(new DigitCnn.Architecture(8, 2, 3, hidden, 4));
            net.initialize(11);
            Rng r = new Rng(5);
            for (int i = 0; i < net.paramCount; i++) {
                net.params[i] += (float) (0.1 * r.nextGaussian());   // non-zero biases too
            }
            DigitCnn.Workspace ws = net.workspace();
            for (int i = 0; i < ws.x.length; i++) {
                ws.x[i] = (float) r.uniform(-1, 1);
            }
            int label = 2;
            net.trainSample(ws, label, null);
            float[] analytic = ws.grad.clone();
            int checked = 0;
            for (int i = 0; i < net.paramCount; i++) {
                float saved = net.params[i];
                float h = 2e-3f;
                net.params[i] = saved + h;
                double up = loss(net, ws, label);
                net.params[i] = saved - h;
                double down = loss(net, ws, label);
                net.params[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic[i], 2e-3 + 0.03 * Math.abs(numeric),
                        "hidden " + hidden + ", parameter " + i + " of " + net.paramCount);
                checked++;
            }
            assertEquals(net.paramCount, checked);
        }
    }

    /** Threads change only who computes which chunk: the weights come out bit-identical. */
    @Test
    void sameWeightsForAnyThreadCount() {
        SyntheticDigits.Dataset train = SyntheticDigits.generate(2, SyntheticDigits.Split.TRAIN, 300);
        SyntheticDigits.Dataset test = SyntheticDigits.generate(2, SyntheticDigits.Split.TEST, 50);
        Trainer.Config c = Trainer.Config.defaults().withEpochs(1).withSeed(2)
                .withArchitecture(new DigitCnn.Architecture(28, 4, 6, 16, 10));
        Trainer.Result one = Trainer.train(c.withThreads(1), train, test, null);
        Trainer.Result two = Trainer.train(c.withThreads(2), train, test, null);
        Trainer.Result three = Trainer.train(c.withThreads(3), train, test, null);
        assertArrayEquals(one.network().params, two.network().params);
        assertArrayEquals(one.network().params, three.network().params);
        Trainer.Result otherSeed = Trainer.train(c.withThreads(2).withSeed(3), train, test, null);
        assertFalse(java.util.Arrays.equals(one.network().params, otherSeed.network().params));
    }

    /** The default network learns the synthetic digits to at least 97% on held-out samples. */
    @Test
    void learnsTheDigits() {
        SyntheticDigits.Dataset train = SyntheticDigits.generate(1, SyntheticDigits.Split.TRAIN, 6000);
        SyntheticDigits.Dataset test = SyntheticDigits.generate(1, SyntheticDigits.Split.TEST, 1000);
        Trainer.Result r = Trainer.train(Trainer.Config.defaults().withEpochs(2), train, test, System.out::println);
        assertTrue(r.testAccuracy() >= 0.97, "held-out accuracy " + r.testAccuracy());
        assertEquals(2 * (6000 / 32 + 1), r.steps());
    }

    /** Fake quantization rounds weights to at most 255 levels per output channel, 0 exact. */
    @Test
    void fakeQuantizedWeightsHaveAtMost255LevelsPerChannel() {
        DigitCnn net = new DigitCnn(TINY);
        net.initialize(4);
        float[] q = new float[net.paramCount];
        FakeQuant.quantizeWeights(net, q);
        int outC = TINY.conv2();
        int perChannel = (net.b2 - net.w2) / outC;   // filters [outC][inC][3][3]
        for (int c = 0; c < outC; c++) {
            int first = net.w2 + c * perChannel;
            float maxAbs = 0;
            for (int i = first; i < first + perChannel; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(net.params[i]));
            }
            float scale = maxAbs / 127f;
            for (int i = first; i < first + perChannel; i++) {
                float level = q[i] / scale;
                assertEquals(Math.round(level), level, 1e-3f, "weight " + i);
                assertTrue(Math.abs(level) <= 127.001f);
                assertEquals(net.params[i], q[i], scale / 2 + 1e-7f);
            }
        }
        for (int i = net.b2; i < net.b2 + outC; i++) {
            assertEquals(net.params[i], q[i], "biases stay float");
        }
    }
}
