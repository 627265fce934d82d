package io.qbridge.converter.quantize;

import io.qbridge.QuantParams;
import io.qbridge.tflite.schema.BuiltinOperator;

/**
 * Empirical bias correction for weight quantization (Nagel et al. 2019, section 4.2): rounding the
 * weights shifts each output channel by E[(W - Wq) x] = (W - Wq) E[x]; adding that to the bias
 * removes the shift. E[x] is the calibration mean of each input channel. It matters where a small
 * weight (coarsely rounded next to a large one in its channel) meets an input channel that is large
 * and nearly constant: MobileNet's pointwise layers lose 15 dB there without it. Padding is ignored
 * (border outputs see fewer input values), which the mean makes a small error.
 */
public final class BiasCorrection {
    private BiasCorrection() {
    }

    /**
     * The corrected bias, or null when the means do not fit the layer.
     *
     * @param code       CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED
     * @param shape      weights shape
     * @param w          float weights
     * @param dequant    the quantized weights, dequantized
     * @param bias       float bias (zeros when the op has none)
     * @param inputMeans mean of each input channel (the last dimension of the input; FULLY_CONNECTED: each input element)
     */
    public static float[] corrected(int code, int[] shape, float[] w, float[] dequant, float[] bias, double[] inputMeans) {
        if (inputMeans == null) {
            return null;
        }
        double[] shift = new double[bias.length];
        if (code == BuiltinOperator.DEPTHWISE_CONV_2D) {
            int out = shape[3];
            if (out % inputMeans.length != 0 || out != bias.length) {
                return null;
            }
            int multiplier = out / inputMeans.length;
            for (int i = 0; i < w.length; i++) {
                int o = i % out;
                shift[o] += (w[i] - dequant[i]) * inputMeans[o / multiplier];
            }
        } else if (code == BuiltinOperator.CONV_2D || code == BuiltinOperator.FULLY_CONNECTED) {
            int in = shape[shape.length - 1];
            int out = shape[0];
            if (in != inputMeans.length || out != bias.length) {
                return null;
            }
            int perOutput = w.length / out;
            for (int i = 0; i < w.length; i++) {
                shift[i / perOutput] += (w[i] - dequant[i]) * inputMeans[i % in];
            }
        } else {
            return null;
        }
        float[] b = bias.clone();
        for (int o = 0; o < b.length; o++) {
            b[o] += (float) shift[o];
        }
        return b;
    }

    /** Dequantized weights: scale[c] * (q - zeroPoint[c]) with c along the parameters' axis. */
    public static float[] dequantize(int[] q, int[] shape, QuantParams p) {
        float[] r = new float[q.length];
        int channels = p.channelCount();
        int inner = 1;
        if (p.isPerChannel()) {
            for (int d = p.axis() + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
        }
        for (int i = 0; i < q.length; i++) {
            int c = p.isPerChannel() ? (i / inner) % channels : 0;
            r[i] = p.scale(c) * (q[i] - p.zeroPoint(c));
        }
        return r;
    }
}
