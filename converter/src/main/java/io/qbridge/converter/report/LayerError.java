package io.qbridge.converter.report;

/**
 * The error quantization made in one operator's output, over the comparison samples: the
 * signal-to-quantization-noise ratio of the dequantized values against the float model's, in dB
 * (10 log10 sum(f^2) / sum((f - q)^2); +infinity when they are equal).
 */
public record LayerError(int opIndex, String opName, int tensor, String tensorName, String type, double sqnrDb) {
    public static double sqnr(double signal, double noise) {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }
}
