package io.qbridge.tools.bench;

/**
 * One measured (or skipped) model × target × backend × threads combination.
 *
 * @param status         "ok", or why the combination did not run
 * @param instructions   guest instructions per inference under QEMU (-1 when not counted)
 * @param sdot           SDOT instructions per inference under QEMU (-1 when not counted)
 * @param peakRssKiB     the process's peak resident memory while this combination ran (-1 unknown)
 */
public record BenchResult(String model, long fileBytes, String target, String cpu, boolean emulated, String backend,
                          int threads, String status, long macs, double p50Ms, double p90Ms, double inferencesPerSecond,
                          long peakRssKiB, long instructions, long sdot) {

    public boolean ok() {
        return "ok".equals(status);
    }

    public double macsPerSecond() {
        return ok() ? macs * inferencesPerSecond : 0;
    }

    static BenchResult skipped(String model, long fileBytes, String target, String cpu, boolean emulated,
                               String backend, int threads, String why) {
        return new BenchResult(model, fileBytes, target, cpu, emulated, backend, threads, why, 0, 0, 0, 0, -1, -1, -1);
    }

    BenchResult withInstructions(long perInference, long sdotPerInference) {
        return new BenchResult(model, fileBytes, target, cpu, emulated, backend, threads, status, macs, p50Ms, p90Ms,
                inferencesPerSecond, peakRssKiB, perInference, sdotPerInference);
    }

    BenchResult asEmulated(String targetName, String cpuName) {
        return new BenchResult(model, fileBytes, targetName, cpuName, true, backend, threads, status, macs, p50Ms, p90Ms,
                inferencesPerSecond, peakRssKiB, instructions, sdot);
    }
}
