package io.qbridge;

/** A backend asked for explicitly cannot run on this machine (native library missing, ...). */
public class BackendUnavailableException extends QbridgeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
