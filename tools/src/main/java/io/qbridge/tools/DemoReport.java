package io.qbridge.tools;

import io.qbridge.tools.bench.BenchResult;
import io.qbridge.tools.bench.ResultTable;

import java.util.List;
import java.util.Locale;

/** The main job's closing table: size and accuracy of each model beside its speed per target and backend. */
final class DemoReport {
    private final List<DemoCommand.Variant> variants;
    private final List<BenchResult> results;
    private final List<String> unavailableTargets;
    private final ResultTable speed;
    private final long floatBytes;

    DemoReport(List<DemoCommand.Variant> variants, List<BenchResult> results, List<String> unavailableTargets) {
        this.variants = variants;
        this.results = results;
        this.unavailableTargets = unavailableTargets;
        this.speed = new ResultTable(results, variants.get(0).file().getFileName().toString());
        this.floatBytes = variants.get(0).bytes();
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-6s %9s %6s %8s %8s  %-8s %-10s %-7s %9s %11s %7s %7s%n", "model", "KiB",
                "size", "top-1", "agree", "target", "cpu", "backend", "p50 ms", "Minsn/inf", "x java", "x float"));
        for (DemoCommand.Variant v : variants) {
            String head = String.format(Locale.ROOT, "%-6s %9.1f %6.3f %7.2f%% %8s", v.name(), v.bytes() / 1024.0,
                    (double) v.bytes() / floatBytes, 100 * v.evaluation().top1(),
                    v.name().equals("float") ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v.evaluation().top1Agreement()));
            String fileName = v.file().getFileName().toString();
            boolean any = false;
            for (int i = 0; i < results.size(); i++) {
                BenchResult r = results.get(i);
                if (!r.model().equals(fileName)) {
                    continue;
                }
                any = true;
                b.append(head).append(String.format(Locale.ROOT, "  %-8s %-10s %-7s", r.target(), r.cpu(), r.backend()));
                if (!r.ok()) {
                    b.append(" not run: ").append(r.status()).append('\n');
                } else {
                    b.append(String.format(Locale.ROOT, " %9.3f %11s %7s %7s%n", r.p50Ms(),
                            r.instructions() < 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.instructions() / 1e6),
                            ratio(speed.speedupVsJava(i)), ratio(speed.speedupVsFloat(i))));
                }
                head = String.format(Locale.ROOT, "%-6s %9s %6s %8s %8s", "", "", "", "", "");
            }
            if (!any) {
                b.append(head).append('\n');
            }
        }
        for (String t : unavailableTargets) {
            b.append("not measured: ").append(t).append('\n');
        }
        if (results.stream().anyMatch(BenchResult::emulated)) {
            b.append("aarch64/armv7 rows ran under QEMU on this machine: their latency is not a board's; instructions per "
                    + "inference repeat exactly, and speed-ups there compare instructions.\n");
        }
        return b.toString();
    }

    String json() {
        StringBuilder b = new StringBuilder("{\n  \"models\": [\n");
        for (int i = 0; i < variants.size(); i++) {
            DemoCommand.Variant v = variants.get(i);
            b.append(String.format(Locale.ROOT, "    {\"name\": \"%s\", \"file\": %s, \"bytes\": %d, \"size_vs_float\": %.4f, "
                            + "\"top1\": %.4f, \"top5\": %.4f, \"images\": %d%s}%s%n", v.name(),
                    quote(v.file().toString()), v.bytes(), (double) v.bytes() / floatBytes, v.evaluation().top1(),
                    v.evaluation().top5(), v.evaluation().images(),
                    v.name().equals("float") ? "" : String.format(Locale.ROOT, ", \"top1_agreement_with_float\": %.4f",
                            v.evaluation().top1Agreement()), i + 1 < variants.size() ? "," : ""));
        }
        b.append("  ],\n  \"benchmarks\": ").append(speed.json().strip().replace("\n", "\n  "));
        b.append(",\n  \"targets_not_measured\": [");
        for (int i = 0; i < unavailableTargets.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(quote(unavailableTargets.get(i)));
        }
        return b.append("]\n}\n").toString();
    }

    private static String ratio(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c < 0x20) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('"').toString();
    }
}
