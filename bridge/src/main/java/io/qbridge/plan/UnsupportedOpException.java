package io.qbridge.plan;

/**
 * An operator is well formed but qbridge has no kernel for it or for its type combination. The
 * planner collects these for all operators and reports them at once.
 */
public class UnsupportedOpException extends RuntimeException {
    public UnsupportedOpException(String message) {
        super(message);
    }
}
