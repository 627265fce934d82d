package io.qbridge.converter.quantize;

import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.List;
import java.util.Locale;

/**
 * int8 FULLY_CONNECTED weights are per tensor, so their few largest values can set a step that is
 * coarse for all the others (a 1001-class logits layer). Clipping |w| trades the clipped weights'
 * error for the others' precision; the clip is the one with the least rounding-plus-clipping error,
 * each weight's error weighed by E[x^2] of the input it multiplies.
 */
final class FullyConnectedClipping {
    /** Clips searched: from the maximum down to half of it, in steps of 1%. */
    private static final int STEPS = 50;

    private FullyConnectedClipping() {
    }

    /**
     * @param full       the weights quantized over their whole range
     * @param meanSquare E[x^2] of each input element
     * @param notes      where a clip other than the maximum is noted
     * @return {@code full} when no clip does better
     */
    static WeightQuantizer.Quantized clip(int[] shape, float[] w, WeightQuantizer.Quantized full, double[] meanSquare,
                                          List<String> notes) {
        int code = BuiltinOperator.FULLY_CONNECTED;
        float maxAbs = full.params().scale() * WeightQuantizer.INT8_WEIGHT_MAX;
        WeightQuantizer.Quantized best = full;
        double bestError = LayerWeights.weightedError(code, shape, w, full, meanSquare);
        double fullError = bestError;
        for (int i = 1; i <= STEPS; i++) {
            WeightQuantizer.Quantized c = WeightQuantizer.symmetricPerTensor(w, maxAbs * (1f - 0.01f * i));
            double e = LayerWeights.weightedError(code, shape, w, c, meanSquare);
            if (e < bestError) {
                bestError = e;
                best = c;
            }
        }
        if (best != full) {
            notes.add(String.format(Locale.ROOT, "per-tensor weights clipped to %.0f%% of their maximum "
                    + "(weighted error %.2fx)", 100 * best.params().scale() / full.params().scale(),
                    bestError / fullError));
        }
        return best;
    }
}
