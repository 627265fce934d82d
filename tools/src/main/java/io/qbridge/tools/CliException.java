package io.qbridge.tools;

/** A failure the user can fix from the message alone (bad file, mismatched sizes). */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
