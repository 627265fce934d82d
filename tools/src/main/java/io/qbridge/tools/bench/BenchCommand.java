package io.qbridge.tools.bench;

import io.qbridge.files.AtomicFiles;

import io.qbridge.tools.CliException;
import io.qbridge.tools.CommonOptions;
import io.qbridge.tools.DefaultModels;
import io.qbridge.tools.QbridgeCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar bench.jar --target=aarch64 [--model M]}: how fast a model runs on a target, per
 * backend and thread count. On a matching board it measures in this process; elsewhere it re-runs
 * itself on the target's JVM under QEMU and adds guest instructions per inference. Without
 * {@code --model} it measures the default model (int8 and uint8, beside its float original), made
 * in {@code --work} on first use and reused, as {@code demo} makes it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = BenchCommand.Version.class,
        description = "Measure a model per backend and thread count on host, aarch64 or armv7 (natively, or under "
                + "QEMU with guest instruction counts).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--target", defaultValue = "host", paramLabel = "T",
            description = "host, aarch64 or armv7 (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "The .tflite model (repeat for several, measured side by side). Default: qbridge's default "
                    + "model, quantized to int8 and uint8, beside its float original (made in --work on first use).")
    List<Path> models;

    @Option(names = "--work", defaultValue = DefaultModels.WORK, paramLabel = "DIR",
            description = "Where the default model is made and reused when no --model is given (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--float-model", paramLabel = "F",
            description = "The float original of MODEL: measured on java too, for the speed-up over float.")
    Path floatModel;

    @Option(names = "--backends", defaultValue = "java,neon,armnn", split = ",", paramLabel = "B,...",
            description = "Backends to measure; those that cannot run are reported with the reason (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--threads", defaultValue = "1", split = ",", paramLabel = "N,...",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "Timed inferences (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed inferences first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--cpu", split = ",", paramLabel = "CPU,...",
            description = "QEMU CPU models: aarch64 cortex-a72 (default, no SDOT) or max (SDOT); armv7 cortex-a15 (default) "
                    + "or cortex-a7.")
    List<String> cpus;

    @Option(names = "--counted-runs", defaultValue = "2", paramLabel = "N",
            description = "Inferences whose instructions are counted under QEMU, each alone; more (up to "
                    + ModelBenchmark.EXTRA_COUNTED_RUNS + ") until the least count repeats (default: ${DEFAULT-VALUE}).")
    int countedRuns;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    /** Set in the re-run under QEMU: print result lines for the parent instead of a table. */
    @Option(names = "--in-process", hidden = true)
    boolean inProcess;

    @Option(names = "--cpu-name", hidden = true)
    String cpuName;

    @Option(names = "--icount-file", hidden = true, paramLabel = "FILE",
            description = "The QEMU plugin's output: count instructions per inference (the re-run under QEMU).")
    Path icountFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(QbridgeCli.newCommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (models == null || models.isEmpty()) {
            if (inProcess) {
                throw new CliException("--in-process needs --model");
            }
            err.println("bench: no --model: measuring qbridge's default model from " + work
                    + " (made there on first use: a small CNN trained here, then quantized; reused after)");
            err.flush();
            DefaultModels.Variants made = DefaultModels.reuseOrMake(work, err);
            models = made.quantized();
            if (floatModel == null) {
                floatModel = made.floatModel();
            }
        }
        validate();
        Target t = Target.parse(target);
        BenchPlan plan = new BenchPlan(models, floatModel, backends, threads, runs, warmup, countedRuns);
        if (inProcess) {
            // the re-run on the target's JVM: print result lines for the bench.jar that started it
            try (IcountMarker marker = icountFile != null ? new IcountMarker(icountFile) : null) {
                plan.measureHere(t, cpuName != null ? cpuName : t.hostName(), marker, out);
            }
            return 0;
        }
        List<BenchResult> results = plan.run(t.id(), cpus, err);
        ResultTable table = new ResultTable(results, floatModel == null ? null : floatModel.getFileName().toString());
        out.print(table.text());
        out.flush();
        if (json != null) {
            AtomicFiles.writeString(json, table.json());
            err.println("bench: wrote " + json);
        }
        return 0;
    }

    private void validate() {
        for (Path model : models) {
            if (!Files.isRegularFile(model)) {
                throw new CliException("model file not found: " + model);
            }
        }
        if (floatModel != null && !Files.isRegularFile(floatModel)) {
            throw new CliException("float model file not found: " + floatModel);
        }
        if (runs < 1 || warmup < 0 || countedRuns < 1) {
            throw new CliException("--runs and --counted-runs must be at least 1, --warmup at least 0");
        }
        threads.forEach(CommonOptions::requireThreads);
        if (json != null && !inProcess) {
            CommonOptions.requireWritable(json, "--json");
        }
        for (String b : backends) {
            if (!List.of("java", "neon", "armnn").contains(b)) {
                throw new CliException("unknown backend '" + b + "': use java, neon or armnn");
            }
        }
        Target t = Target.parse(target);
        if (cpus != null && !inProcess && (t == Target.HOST || t.isNative())) {
            throw new CliException("--cpu applies to emulated targets only (aarch64 or armv7 on a non-Arm host)");
        }
        for (String cpu : cpus == null || inProcess ? List.<String>of() : cpus) {
            if (!t.cpus.contains(cpu)) {
                throw new CliException("--cpu " + cpu + " does not apply to target " + t.id() + ": use one of "
                        + String.join(", ", t.cpus));
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BenchCommand.class.getPackage().getImplementationVersion();
            return new String[] {"qbridge bench " + (v == null ? "(development build)" : v)};
        }
    }
}
