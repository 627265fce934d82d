package io.qbridge.tools;

import io.qbridge.QbridgeException;
import picocli.CommandLine;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into one clear line; the stack trace only with {@code --verbose}. */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || parsed.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--verbose"));
        cli.getErr().println("qbridge " + cli.getCommandName() + ": error: " + describe(e));
        if (verbose) {
            e.printStackTrace(cli.getErr());
        } else {
            cli.getErr().println("(run with --verbose for details)");
        }
        cli.getErr().flush();
        return QbridgeCli.EXIT_FAILURE;
    }

    static int onBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr().println("qbridge " + cli.getCommandName() + ": " + e.getMessage());
        cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for the options.");
        cli.getErr().flush();
        return QbridgeCli.EXIT_USAGE;
    }

    /** The user-facing text of a failure. */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        if (e instanceof NoSuchFileException f) {
            return "file not found: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
        }
        if (e instanceof java.io.IOException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof QbridgeException || e instanceof IllegalArgumentException || e instanceof CliException) {
            return e.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
