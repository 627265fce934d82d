package io.qbridge.tools.bench;

import java.util.List;
import java.util.Locale;

/**
 * Results as JSON (for users) and as one tab-separated line each (between a bench.jar re-run
 * under QEMU and the bench.jar that started it).
 */
final class ResultCodec {
    static final String LINE_PREFIX = "QBRIDGE-BENCH\t";

    private ResultCodec() {
    }

    static String toLine(BenchResult r) {
        return LINE_PREFIX + String.join("\t", clean(r.model()), Long.toString(r.fileBytes()), clean(r.target()),
                clean(r.cpu()), Boolean.toString(r.emulated()), clean(r.backend()), Integer.toString(r.threads()),
                clean(r.status()), Long.toString(r.macs()), Double.toString(r.p50Ms()), Double.toString(r.p90Ms()),
                Double.toString(r.inferencesPerSecond()), Long.toString(r.peakRssKiB()), Long.toString(r.instructions()),
                Long.toString(r.sdot()));
    }

    static BenchResult fromLine(String line) {
        String[] f = line.substring(LINE_PREFIX.length()).split("\t", -1);
        if (f.length != 15) {
            throw new IllegalArgumentException("malformed result line from the emulated run: " + line);
        }
        return new BenchResult(f[0], Long.parseLong(f[1]), f[2], f[3], Boolean.parseBoolean(f[4]), f[5],
                Integer.parseInt(f[6]), f[7], Long.parseLong(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]),
                Double.parseDouble(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    static String toJson(List<BenchResult> results, List<Double> speedupVsJava, List<Double> speedupVsFloat) {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            BenchResult r = results.get(i);
            b.append("  {");
            field(b, "model", r.model()).append(", ");
            field(b, "file_bytes", r.fileBytes()).append(", ");
            field(b, "target", r.target()).append(", ");
            field(b, "cpu", r.cpu()).append(", ");
            field(b, "emulated", r.emulated()).append(", ");
            field(b, "backend", r.backend()).append(", ");
            field(b, "threads", r.threads()).append(", ");
            field(b, "status", r.status());
            if (r.ok()) {
                b.append(", ");
                field(b, "macs", r.macs()).append(", ");
                field(b, "p50_ms", r.p50Ms()).append(", ");
                field(b, "p90_ms", r.p90Ms()).append(", ");
                field(b, "inferences_per_s", r.inferencesPerSecond()).append(", ");
                field(b, "macs_per_s", r.macsPerSecond());
                if (r.peakRssKiB() >= 0) {
                    b.append(", ");
                    field(b, "peak_rss_kib", r.peakRssKiB());
                }
                if (r.instructions() >= 0) {
                    b.append(", ");
                    field(b, "instructions_per_inference", r.instructions());
                }
                if (r.sdot() >= 0) {
                    b.append(", ");
                    field(b, "sdot_per_inference", r.sdot());
                }
                if (speedupVsJava.get(i) != null) {
                    b.append(", ");
                    field(b, "speedup_vs_java", speedupVsJava.get(i));
                }
                if (speedupVsFloat.get(i) != null) {
                    b.append(", ");
                    field(b, "speedup_vs_float", speedupVsFloat.get(i));
                }
            }
            b.append(i + 1 < results.size() ? "},\n" : "}\n");
        }
        return b.append("]\n").toString();
    }

    private static StringBuilder field(StringBuilder b, String name, Object value) {
        b.append('"').append(name).append("\": ");
        if (value instanceof String s) {
            b.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"');
        }
        if (value instanceof Double d) {
            return b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.6g", d));
        }
        return b.append(value);
    }
}
