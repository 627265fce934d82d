package io.qbridge.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code java -jar qbridge.jar <command>}: the command line of qbridge. Errors are one line on
 * stderr and a non-zero exit; {@code --verbose} adds the stack trace.
 */
@Command(name = "qbridge", mixinStandardHelpOptions = true, versionProvider = QbridgeCli.Version.class,
        description = "8-bit TensorFlow Lite models on Arm boards from Java.",
        subcommands = {InspectCommand.class, RunCommand.class, ClassifyCommand.class, ConvertCommand.class,
                EvalCommand.class, TrainCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class QbridgeCli {
    /** Exit code for a failure while running a valid command (bad model, missing file). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for arguments picocli rejects. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = newCommandLine(new QbridgeCli());
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /** A picocli command line with qbridge's error handling; reused by bench.jar. */
    public static CommandLine newCommandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler(ErrorReporter::onBadArguments);
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = QbridgeCli.class.getPackage().getImplementationVersion();
            return new String[] {"qbridge " + (v == null ? "(development build)" : v)};
        }
    }
}
