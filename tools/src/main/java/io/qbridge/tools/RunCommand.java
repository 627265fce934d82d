package io.qbridge.tools;

import io.qbridge.Interpreter;
import io.qbridge.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code qbridge run}: raw bytes of the first input in, raw bytes of the first output out. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a model on raw input bytes (the first input tensor, little-endian) and write the raw bytes "
                + "of the first output tensor.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "IN.raw",
            description = "Exactly the first input tensor's bytes.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.raw",
            description = "Where the first output tensor's bytes go.")
    Path output;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "1",
            description = "Run R inferences and report their latency (default: ${DEFAULT-VALUE}).")
    int repeat;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new CliException("--repeat must be at least 1, got " + repeat);
        }
        CommonOptions.requireFile(input, "input");
        PrintWriter err = spec.commandLine().getErr();
        try (Interpreter it = common.open()) {
            Tensor in = it.getInputTensor(0);
            long size = Files.size(input);
            if (size != in.numBytes()) {
                throw new CliException(input + " has " + size + " bytes but input 0 '" + in.name() + "' "
                        + in.dataType() + " " + Arrays.toString(in.shape()) + " takes " + in.numBytes() + " bytes");
            }
            in.copyFrom(Files.readAllBytes(input));
            long[] nanos = new long[repeat];
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                it.run();
                nanos[r] = System.nanoTime() - t0;
            }
            Files.write(output, it.getOutputTensor(0).bytes());
            Tensor out = it.getOutputTensor(0);
            err.printf("wrote %s: output 0 '%s' %s %s, %d bytes (backend %s, %d thread%s)%n", output, out.name(),
                    out.dataType(), Arrays.toString(out.shape()), out.numBytes(), it.backendName(), common.threads,
                    common.threads == 1 ? "" : "s");
            if (repeat > 1) {
                long firstNanos = nanos[0];
                Arrays.sort(nanos);
                int p90 = (int) Math.ceil(repeat * 0.9) - 1;
                err.printf("%d inferences: first %.3f ms, median %.3f ms, p90 %.3f ms, min %.3f ms%n", repeat,
                        firstNanos / 1e6, nanos[repeat / 2] / 1e6, nanos[p90] / 1e6, nanos[0] / 1e6);
            }
            err.flush();
        }
        return 0;
    }
}
