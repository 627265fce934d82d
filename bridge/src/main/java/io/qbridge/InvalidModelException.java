package io.qbridge;

/**
 * A model file is malformed or inconsistent: thrown while loading, before any kernel runs, with a
 * message naming the tensor, operator or field at fault.
 */
public class InvalidModelException extends QbridgeException {
    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
