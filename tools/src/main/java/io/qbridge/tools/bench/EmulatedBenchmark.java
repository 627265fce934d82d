package io.qbridge.tools.bench;

import io.qbridge.tools.CliException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-runs bench.jar on the target's JVM under QEMU user mode and collects its results, with
 * the guest instructions per inference that qbridge's QEMU plugin counted.
 */
final class EmulatedBenchmark {
    /**
     * JVM flags for the emulated run: a serial GC and compilation in the foreground make the
     * counted thread's work the same from one run to the next; no safepoint every second (an
     * emulated inference takes seconds, and each safepoint cost the inference thread thousands
     * of instructions).
     */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xbatch", "-XX:CICompilerCount=2",
            "-Xss4m", "-XX:-UsePerfData", "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0");

    private EmulatedBenchmark() {
    }

    /**
     * @param childArgs bench.jar's own arguments for the in-process run on the target
     */
    static List<BenchResult> run(ArmToolchain toolchain, String cpu, List<String> childArgs)
            throws IOException, InterruptedException {
        Target target = toolchain.target();
        // 32-bit guests cannot list directories on ext4 (EOVERFLOW): give them a tmpfs to work in.
        Path workDir = target == Target.ARMV7 && Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        Path counts = toolchain.icountPlugin() != null
                ? Files.createTempFile(workDir, "qbridge-icount", ".txt") : null;
        try {
            List<String> cmd = new ArrayList<>(toolchain.command(cpu, counts));
            cmd.addAll(JVM_FLAGS);
            cmd.add("-Djava.io.tmpdir=" + workDir);
            cmd.add("-cp");
            cmd.add(absoluteClassPath());
            cmd.add(BenchCommand.class.getName());
            cmd.addAll(childArgs);
            if (counts != null) {
                cmd.add("--icount-file");
                cmd.add(counts.toString());
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            List<BenchResult> results = new ArrayList<>();
            List<String> other = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(ResultCodec.LINE_PREFIX)) {
                        results.add(ResultCodec.fromLine(line).asEmulated(target.id(), cpu));
                    } else {
                        other.add(line);
                    }
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                throw new CliException("the " + target.id() + " run under " + target.qemu + " -cpu " + cpu + " failed (exit "
                        + exit + ")" + (other.isEmpty() ? "" : ": " + String.join(" / ", other)));
            }
            return results;
        } finally {
            if (counts != null) {
                Files.deleteIfExists(counts);
            }
        }
    }

    /** This JVM's class path with absolute entries: the re-run starts in another directory. */
    static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
