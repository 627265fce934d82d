package io.qbridge.converter.eval;

import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.image.ImageInput;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Classifies labelled images with a model (and optionally a reference model on the same decoded
 * images) and counts top-1 and top-5 hits and top-1 agreement. Preprocessing is {@code classify}'s
 * ({@link ImageInput}).
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * @param reference null for none
     * @param mean      null for ImageInput's default mapping (as {@code classify})
     */
    public static Evaluation evaluate(Path model, Path reference, List<GroundTruth.Sample> samples, Float mean,
                                      Float std, Interpreter.Options options, Progress progress) throws IOException {
        long start = System.nanoTime();
        try (Interpreter m = new Interpreter(model, options);
             Interpreter r = reference == null ? null : new Interpreter(reference, options)) {
            int classes = classes(m);
            if (r != null && classes(r) != classes) {
                throw new IllegalArgumentException(model + " has " + classes + " classes, the reference "
                        + reference + " has " + classes(r));
            }
            int[] modelHits = new int[2];
            int[] refHits = new int[2];
            int agreements = 0;
            int done = 0;
            for (GroundTruth.Sample s : samples) {
                progress.update("evaluating", done, samples.size());
                if (s.label() < 0 || s.label() >= classes) {
                    throw new IllegalArgumentException(s.image() + ": label " + s.label() + " is not one of the model's "
                            + classes + " classes (is --label-column right?)");
                }
                BufferedImage img = ImageInput.read(s.image());
                int[] top = top5(m, img, mean, std);
                score(top, s.label(), modelHits);
                if (r != null) {
                    int[] refTop = top5(r, img, mean, std);
                    score(refTop, s.label(), refHits);
                    if (refTop[0] == top[0]) {
                        agreements++;
                    }
                }
                done++;
            }
            progress.update("evaluating", done, samples.size());
            long millis = (System.nanoTime() - start) / 1_000_000;
            Evaluation ref = r == null ? null
                    : new Evaluation(reference.toString(), samples.size(), refHits[0], refHits[1], null, 0, millis);
            return new Evaluation(model.toString(), samples.size(), modelHits[0], modelHits[1], ref, agreements, millis);
        }
    }

    private static int classes(Interpreter it) {
        return it.getOutputTensor(0).numElements();
    }

    private static int[] top5(Interpreter it, BufferedImage img, Float mean, Float std) {
        ImageInput.feed(it.getInputTensor(0), img, mean, std);
        it.run();
        return topK(it.getOutputTensor(0).floats(), 5);
    }

    private static void score(int[] top, int label, int[] hits) {
        if (top[0] == label) {
            hits[0]++;
        }
        for (int c : top) {
            if (c == label) {
                hits[1]++;
                break;
            }
        }
    }

    /** Indices of the k largest scores, best first (lower index first among equal scores). */
    static int[] topK(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        int[] best = new int[n];
        for (int j = 0; j < n; j++) {
            int arg = -1;
            for (int i = 0; i < scores.length; i++) {
                boolean taken = false;
                for (int p = 0; p < j; p++) {
                    if (best[p] == i) {
                        taken = true;
                        break;
                    }
                }
                if (!taken && (arg < 0 || scores[i] > scores[arg])) {
                    arg = i;
                }
            }
            best[j] = arg;
        }
        return best;
    }
}
