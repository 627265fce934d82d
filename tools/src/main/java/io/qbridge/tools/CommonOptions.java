package io.qbridge.tools;

import io.qbridge.Interpreter;
import picocli.CommandLine.Option;

import io.qbridge.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Options shared by the commands that open a model. */
public final class CommonOptions {
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The .tflite model.")
    Path model;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "auto",
            description = "auto, java, neon or armnn (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "Threads (default: ${DEFAULT-VALUE}).")
    int threads;

    Interpreter.Options interpreterOptions() {
        Interpreter.Backend b;
        try {
            b = Interpreter.Backend.parse(backend);
        } catch (IllegalArgumentException e) {
            throw new CliException("unknown backend '" + backend + "': use auto, java, neon or armnn");
        }
        requireThreads(threads);
        return new Interpreter.Options().setBackend(b).setNumThreads(threads);
    }

    Interpreter open() throws IOException {
        requireFile(model, "model");
        return new Interpreter(model, interpreterOptions());
    }

    /** The bound every command puts on --threads: what one Interpreter takes. */
    public static void requireThreads(int threads) {
        if (threads < 1 || threads > Interpreter.Options.MAX_THREADS) {
            throw new CliException("--threads must be between 1 and " + Interpreter.Options.MAX_THREADS + ", got "
                    + threads);
        }
    }

    /** Checks before any long work that an output file can be written (see AtomicFiles). */
    public static void requireWritable(Path p, String option) {
        try {
            AtomicFiles.checkWritable(p);
        } catch (FileSystemException e) {
            throw new CliException("cannot write " + option + " " + p + ": " + e.getReason());
        } catch (IOException e) {
            throw new CliException("cannot write " + option + " " + p + ": " + e.getMessage());
        }
    }

    static void requireFile(Path p, String role) {
        if (!Files.exists(p)) {
            throw new CliException(role + " file not found: " + p);
        }
        if (!Files.isRegularFile(p)) {
            throw new CliException(role + " is not a regular file: " + p);
        }
    }
}
