package io.qbridge.converter.eval;

import java.util.Locale;

/**
 * Accuracy of a classifier on labelled images, and, with a reference model, the reference's
 * accuracy and how often the two agree on the top-1 class.
 *
 * @param reference null without a reference model
 * @param top1Agreement fraction of images where model and reference have the same top-1 class (NaN without reference)
 */
public record Evaluation(String model, int images, int top1Correct, int top5Correct, Evaluation reference,
                         int top1Agreements, long millis) {

    public double top1() {
        return images == 0 ? 0 : (double) top1Correct / images;
    }

    public double top5() {
        return images == 0 ? 0 : (double) top5Correct / images;
    }

    public double top1Agreement() {
        return reference == null || images == 0 ? Double.NaN : (double) top1Agreements / images;
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %d images, top-1 %.2f%%, top-5 %.2f%%%n", model, images, 100 * top1(),
                100 * top5()));
        if (reference != null) {
            sb.append(String.format(Locale.ROOT, "reference %s: top-1 %.2f%%, top-5 %.2f%%%n", reference.model,
                    100 * reference.top1(), 100 * reference.top5()));
            sb.append(String.format(Locale.ROOT, "top-1 agreement with the reference: %.2f%% (%d of %d)%n",
                    100 * top1Agreement(), top1Agreements, images));
        }
        return sb.toString();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":\"").append(escape(model)).append("\",");
        sb.append("\"images\":").append(images).append(',');
        sb.append(String.format(Locale.ROOT, "\"top1\":%.6f,\"top5\":%.6f,", top1(), top5()));
        sb.append("\"top1Correct\":").append(top1Correct).append(",\"top5Correct\":").append(top5Correct).append(',');
        sb.append("\"millis\":").append(millis);
        if (reference != null) {
            sb.append(",\"reference\":").append(reference.toJson());
            sb.append(String.format(Locale.ROOT, ",\"top1Agreement\":%.6f", top1Agreement()));
        }
        return sb.append('}').toString();
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
