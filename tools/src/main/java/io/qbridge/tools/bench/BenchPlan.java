package io.qbridge.tools.bench;

import io.qbridge.tools.CliException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What to measure: models (the float original among them, if any, measured on java only),
 * backends, thread counts, and how many inferences. Runs here or on an emulated Arm target.
 */
public record BenchPlan(List<Path> models, Path floatModel, List<String> backends, List<Integer> threads, int runs,
                        int warmup, int countedRuns) {

    public BenchPlan {
        models = List.copyOf(models);
        backends = List.copyOf(backends);
        threads = List.copyOf(threads);
    }

    /** Every model to measure: the quantized ones, then the float original. */
    List<Path> allModels() {
        List<Path> all = new ArrayList<>(models);
        if (floatModel != null && !all.contains(floatModel)) {
            all.add(floatModel);
        }
        return all;
    }

    /**
     * Measures on {@code target}: in this process when this JVM runs on it, else on the target's JVM
     * under QEMU once per CPU model (null or empty: the target's default CPU).
     */
    public List<BenchResult> run(String targetName, List<String> cpus, PrintWriter log)
            throws IOException, InterruptedException {
        Target target = Target.parse(targetName);
        if (target.isNative()) {
            return measureHere(target, target.hostName(), null, null);
        }
        ArmToolchain toolchain = ArmToolchain.find(target);
        if (toolchain.icountPlugin() == null) {
            log.println("bench: note: no instruction counts (the QEMU plugin is not built: run "
                    + "cross-toolchains/qemu-icount/build.sh)");
        }
        List<BenchResult> results = new ArrayList<>();
        for (String cpu : cpus == null || cpus.isEmpty() ? List.of(target.cpus.get(0)) : cpus) {
            if (!target.cpus.contains(cpu)) {
                throw new CliException("--cpu " + cpu + " does not apply to target " + target.id() + ": use one of "
                        + String.join(", ", target.cpus));
            }
            log.printf("bench: %s under %s -cpu %s (emulated: latency is not the board's; instructions are counted "
                    + "per inference)%n", target.id(), target.qemu, cpu);
            log.flush();
            results.addAll(EmulatedBenchmark.run(toolchain, cpu, childArgs(target, cpu)));
        }
        return results;
    }

    /**
     * Measures every model × backend × threads in this process. With {@code marker}, single-thread
     * runs' instructions are counted; with {@code lines}, each result is printed for a parent process.
     */
    List<BenchResult> measureHere(Target target, String cpu, IcountMarker marker, PrintWriter lines) throws IOException {
        List<BenchResult> results = new ArrayList<>();
        ModelBenchmark.Settings settings = new ModelBenchmark.Settings(warmup, runs, countedRuns);
        for (Path m : allModels()) {
            List<String> modelBackends = m.equals(floatModel) ? List.of("java") : backends;
            for (String backend : modelBackends) {
                for (int n : threads) {
                    // instruction counts are exact for a single thread only
                    IcountMarker counting = n == 1 ? marker : null;
                    BenchResult r = ModelBenchmark.measure(m, target.id(), cpu, backend, n, settings, counting);
                    results.add(r);
                    if (lines != null) {
                        lines.println(ResultCodec.toLine(r));
                        lines.flush();
                    }
                }
            }
        }
        return results;
    }

    /** bench.jar's arguments for the re-run on the target's JVM. */
    private List<String> childArgs(Target t, String cpu) {
        List<String> a = new ArrayList<>(List.of("--in-process", "--target", t.id(), "--cpu-name", cpu,
                "--backends", String.join(",", backends),
                "--threads", String.join(",", threads.stream().map(String::valueOf).toList()),
                "--runs", String.valueOf(runs), "--warmup", String.valueOf(warmup),
                "--counted-runs", String.valueOf(countedRuns)));
        for (Path m : models) {
            a.add("--model");
            a.add(m.toAbsolutePath().toString());
        }
        if (floatModel != null) {
            a.add("--float-model");
            a.add(floatModel.toAbsolutePath().toString());
        }
        return a;
    }
}
