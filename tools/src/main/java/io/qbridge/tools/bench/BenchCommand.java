package io.qbridge.tools.bench;

import io.qbridge.tools.CliException;
import io.qbridge.tools.QbridgeCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar bench.jar --target=aarch64 --model M}: how fast a model runs on a target, per
 * backend and thread count. On a matching board it measures in this process; elsewhere it re-runs
 * itself on the target's JVM under QEMU and adds guest instructions per inference.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = BenchCommand.Version.class,
        description = "Measure a model per backend and thread count on host, aarch64 or armv7 (natively, or under "
                + "QEMU with guest instruction counts).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--target", defaultValue = "host", paramLabel = "T",
            description = "host, aarch64 or armv7 (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The .tflite model.")
    Path model;

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
            description = "Inferences inside the instruction-count window under QEMU (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--count-instructions", hidden = true)
    boolean countInstructions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(QbridgeCli.newCommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Target t = Target.parse(target);
        PrintWriter out = spec.commandLine().getOut();
        List<BenchResult> results = new ArrayList<>();
        if (inProcess || t.isNative()) {
            String cpu = cpuName != null ? cpuName : t.hostName();
            List<BenchResult> measured = measureHere(t, cpu, out);
            if (inProcess) {
                return 0;
            }
            results.addAll(measured);
        } else {
            ArmToolchain toolchain = ArmToolchain.find(t);
            if (toolchain.icountPlugin() == null) {
                spec.commandLine().getErr().println("bench: note: no instruction counts (the QEMU plugin is not built: run "
                        + "cross-toolchains/qemu-icount/build.sh)");
            }
            List<String> cpuList = cpus == null || cpus.isEmpty() ? List.of(t.cpus.get(0)) : cpus;
            for (String cpu : cpuList) {
                spec.commandLine().getErr().printf("bench: running on %s under %s -cpu %s (emulated: figures are not the "
                        + "board's; instructions per inference repeat exactly)%n", t.id(), t.qemu, cpu);
                results.addAll(EmulatedBenchmark.run(toolchain, cpu, childArgs(t, cpu), true));
            }
        }
        ResultTable table = new ResultTable(results, floatModel == null ? null : floatModel.getFileName().toString());
        out.print(table.text());
        out.flush();
        if (json != null) {
            Files.writeString(json, table.json());
            spec.commandLine().getErr().println("bench: wrote " + json);
        }
        return 0;
    }

    private void validate() {
        if (!Files.isRegularFile(model)) {
            throw new CliException("model file not found: " + model);
        }
        if (floatModel != null && !Files.isRegularFile(floatModel)) {
            throw new CliException("float model file not found: " + floatModel);
        }
        if (runs < 1 || warmup < 0 || countedRuns < 1) {
            throw new CliException("--runs and --counted-runs must be at least 1, --warmup at least 0");
        }
        for (int n : threads) {
            if (n < 1 || n > 1024) {
                throw new CliException("--threads must be between 1 and 1024, got " + n);
            }
        }
        for (String b : backends) {
            if (!List.of("java", "neon", "armnn").contains(b)) {
                throw new CliException("unknown backend '" + b + "': use java, neon or armnn");
            }
        }
        Target t = Target.parse(target);
        if (cpus != null && !inProcess) {
            for (String cpu : cpus) {
                if (t == Target.HOST || !t.cpus.contains(cpu)) {
                    throw new CliException("--cpu " + cpu + " does not apply to target " + t.id()
                            + (t == Target.HOST ? "" : ": use one of " + String.join(", ", t.cpus)));
                }
            }
        }
    }

    /** Measures every model × backend × threads here; in a re-run, prints them for the parent. */
    private List<BenchResult> measureHere(Target t, String cpu, PrintWriter out) throws Exception {
        List<BenchResult> results = new ArrayList<>();
        ModelBenchmark.Settings settings = new ModelBenchmark.Settings(warmup, runs, countedRuns);
        int window = 0;
        try (IcountMarker marker = countInstructions ? new IcountMarker() : null) {
            List<Path> models = new ArrayList<>(List.of(model));
            if (floatModel != null) {
                models.add(floatModel);
            }
            for (Path m : models) {
                List<String> modelBackends = m == floatModel ? List.of("java") : backends;
                for (String backend : modelBackends) {
                    for (int n : threads) {
                        // instruction counts are exact for a single thread only
                        IcountMarker counting = n == 1 ? marker : null;
                        BenchResult r = ModelBenchmark.measure(m, t.id(), cpu, backend, n, settings, counting);
                        results.add(r);
                        int thisWindow = counting != null && r.ok() ? window++ : -1;
                        if (inProcess) {
                            out.println(ResultCodec.toLine(r, thisWindow));
                            out.flush();
                        }
                    }
                }
            }
        }
        return results;
    }

    private List<String> childArgs(Target t, String cpu) {
        List<String> a = new ArrayList<>(List.of("--in-process", "--target", t.id(), "--cpu-name", cpu,
                "--model", model.toAbsolutePath().toString(), "--backends", String.join(",", backends),
                "--threads", String.join(",", threads.stream().map(String::valueOf).toList()),
                "--runs", String.valueOf(runs), "--warmup", String.valueOf(warmup),
                "--counted-runs", String.valueOf(countedRuns)));
        if (floatModel != null) {
            a.add("--float-model");
            a.add(floatModel.toAbsolutePath().toString());
        }
        return a;
    }

    static int countedRunsOf(List<String> childArgs) {
        int i = childArgs.indexOf("--counted-runs");
        return i >= 0 ? Integer.parseInt(childArgs.get(i + 1)) : 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BenchCommand.class.getPackage().getImplementationVersion();
            return new String[] {"qbridge bench " + (v == null ? "(development build)" : v)};
        }
    }
}
