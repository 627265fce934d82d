package io.qbridge.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results side by side, with speed-ups over the java backend and over the float model on the
 * same target, CPU and thread count. Speed-ups compare instructions per inference where both
 * were counted (exact under QEMU), else p50 latency.
 */
public final class ResultTable {
    private final List<BenchResult> results;
    private final List<Double> vsJava = new ArrayList<>();
    private final List<Double> vsFloat = new ArrayList<>();

    /** @param floatModel file name of the float original among the results, or null */
    public ResultTable(List<BenchResult> results, String floatModel) {
        this.results = List.copyOf(results);
        for (BenchResult r : results) {
            vsJava.add(r.ok() && !r.backend().equals("java") ? speedup(find(r, r.model(), "java"), r) : null);
            vsFloat.add(r.ok() && floatModel != null && !r.model().equals(floatModel)
                    ? speedup(find(r, floatModel, "java"), r) : null);
        }
    }

    private BenchResult find(BenchResult like, String model, String backend) {
        for (BenchResult r : results) {
            if (r.ok() && r.model().equals(model) && r.backend().equals(backend) && r.target().equals(like.target())
                    && r.cpu().equals(like.cpu()) && r.threads() == like.threads()) {
                return r;
            }
        }
        return null;
    }

    private static Double speedup(BenchResult base, BenchResult r) {
        if (base == null) {
            return null;
        }
        if (base.instructions() > 0 && r.instructions() > 0) {
            return (double) base.instructions() / r.instructions();
        }
        return r.p50Ms() > 0 ? base.p50Ms() / r.p50Ms() : null;
    }

    /** Speed-up of result i over the java backend (null where there is no java row to compare with). */
    public Double speedupVsJava(int i) {
        return vsJava.get(i);
    }

    /** Speed-up of result i over the float model on java (null where not applicable). */
    public Double speedupVsFloat(int i) {
        return vsFloat.get(i);
    }

    public String json() {
        return ResultCodec.toJson(results, vsJava, vsFloat);
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-34s %9s %-8s %-10s %-6s %3s %9s %9s %8s %9s %8s %10s %8s %7s %7s%n",
                "model", "KiB", "target", "cpu", "backend", "thr", "p50 ms", "p90 ms", "inf/s", "GMAC/s", "RSS MiB",
                "Minsn/inf", "sdot/inf", "x java", "x float"));
        for (int i = 0; i < results.size(); i++) {
            BenchResult r = results.get(i);
            String head = String.format(Locale.ROOT, "%-34s %9.1f %-8s %-10s %-6s %3d", r.model(), r.fileBytes() / 1024.0,
                    r.target(), r.cpu(), r.backend(), r.threads());
            if (!r.ok()) {
                b.append(head).append("  not run: ").append(r.status()).append('\n');
                continue;
            }
            b.append(head).append(String.format(Locale.ROOT, " %9.3f %9.3f %8.2f %9.3f %8s %10s %8s %7s %7s%n",
                    r.p50Ms(), r.p90Ms(), r.inferencesPerSecond(), r.macsPerSecond() / 1e9,
                    r.peakRssKiB() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.peakRssKiB() / 1024.0),
                    r.instructions() < 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.instructions() / 1e6),
                    r.sdot() < 0 ? "-" : Long.toString(r.sdot()), ratio(vsJava.get(i)), ratio(vsFloat.get(i))));
        }
        if (results.stream().anyMatch(BenchResult::emulated)) {
            b.append("emulated rows: latency is QEMU's on this machine, not the board's. Instructions per inference (one "
                    + "thread): each inference counted alone, the least count once it repeats; exact from run to run.\n");
        }
        return b.toString();
    }

    private static String ratio(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }
}
