package io.qbridge;

/** Base class of qbridge's unchecked exceptions. */
public class QbridgeException extends RuntimeException {
    public QbridgeException(String message) {
        super(message);
    }

    public QbridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
