package io.qbridge.converter;

import io.qbridge.converter.report.LayerError;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code convert} did: rewrites, ops quantized, sizes, the observer chosen and why, the error
 * of every layer (SQNR of dequantized activations vs float on calibration samples), and time taken.
 *
 * @param observerScores output SQNR (dB) of each observer tried, in the order tried
 */
public record ConversionSummary(InferenceType type, int floatOps, int quantizedOps, Map<String, Integer> rewrites,
                                long floatBytes, long quantizedBytes, String observer,
                                Map<String, Double> observerScores, int calibrationSamples,
                                List<LayerError> layers, double outputSqnrDb, long calibrationMillis,
                                long totalMillis, List<String> notes) {

    /** The same summary with the float size taken from the model file rather than its re-serialization. */
    public ConversionSummary withFloatBytes(long bytes) {
        return new ConversionSummary(type, floatOps, quantizedOps, rewrites, bytes, quantizedBytes, observer,
                observerScores, calibrationSamples, layers, outputSqnrDb, calibrationMillis, totalMillis, notes);
    }

    public double sizeRatio() {
        return floatBytes == 0 ? 0 : (double) quantizedBytes / floatBytes;
    }

    public void print(PrintStream out) {
        out.printf(Locale.ROOT, "converted to %s: %d of %d operators quantized%n", type, quantizedOps, floatOps);
        rewrites.forEach((what, n) -> {
            if (n > 0) {
                out.printf(Locale.ROOT, "  rewrite: %s x%d%n", what, n);
            }
        });
        out.printf(Locale.ROOT, "size: %d bytes float -> %d bytes (%.3f of float)%n", floatBytes, quantizedBytes,
                sizeRatio());
        if (calibrationSamples > 0) {
            out.printf(Locale.ROOT, "calibration: %d samples, %.1f s%n", calibrationSamples, calibrationMillis / 1000.0);
        }
        if (observer != null) {
            StringBuilder sb = new StringBuilder();
            observerScores.forEach((name, db) -> sb.append(String.format(Locale.ROOT, " %s %.2f dB", name, db)));
            out.println("observer: " + observer + (observerScores.size() > 1 ? " (output SQNR:" + sb + ")" : ""));
        }
        if (!layers.isEmpty()) {
            out.println("per-layer error (SQNR of dequantized activations vs float):");
            for (LayerError l : layers) {
                out.printf(Locale.ROOT, "  %3d %-18s %-6s %8s dB  %s%n", l.opIndex(), l.opName(), l.type().toLowerCase(Locale.ROOT),
                        formatDb(l.sqnrDb()), l.tensorName());
            }
            out.printf(Locale.ROOT, "output SQNR: %s dB%n", formatDb(outputSqnrDb));
        }
        for (String n : notes) {
            out.println("note: " + n);
        }
        out.printf(Locale.ROOT, "time: %.1f s%n", totalMillis / 1000.0);
    }

    static String formatDb(double db) {
        return Double.isInfinite(db) ? "inf" : Double.isNaN(db) ? "-" : String.format(Locale.ROOT, "%.2f", db);
    }

    /** The summary as a JSON object. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"type\":\"").append(type).append("\",");
        sb.append("\"floatOps\":").append(floatOps).append(",\"quantizedOps\":").append(quantizedOps).append(',');
        sb.append("\"floatBytes\":").append(floatBytes).append(",\"quantizedBytes\":").append(quantizedBytes).append(',');
        sb.append("\"sizeRatio\":").append(String.format(Locale.ROOT, "%.4f", sizeRatio())).append(',');
        sb.append("\"observer\":").append(observer == null ? "null" : "\"" + observer + "\"").append(',');
        sb.append("\"calibrationSamples\":").append(calibrationSamples).append(',');
        sb.append("\"calibrationMillis\":").append(calibrationMillis).append(",\"totalMillis\":").append(totalMillis).append(',');
        sb.append("\"outputSqnrDb\":").append(jsonNumber(outputSqnrDb)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            LayerError l = layers.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"op\":").append(l.opIndex()).append(",\"name\":\"").append(l.opName())
                    .append("\",\"tensor\":\"").append(l.tensorName().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\",\"sqnrDb\":").append(jsonNumber(l.sqnrDb())).append('}');
        }
        sb.append("]}");
        return sb.toString();
    }

    private static String jsonNumber(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "null";
    }
}
