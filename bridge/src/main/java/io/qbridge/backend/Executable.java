package io.qbridge.backend;

import java.nio.ByteBuffer;

/**
 * A compiled plan, ready to run. Not thread-safe: one inference at a time. Its memory is
 * released by {@link #close()}.
 */
public interface Executable extends AutoCloseable {
    /**
     * A little-endian view of a graph input or output tensor's bytes in the executable's own
     * memory: inputs are written there before {@link #run()}, outputs read after it. The view stays
     * valid until {@link #close()}.
     */
    ByteBuffer tensorBuffer(int tensorIndex);

    /** Runs one inference. */
    void run();

    /** How this executable runs the model, for people and tests (Interpreter.backendDetails()); "" by default. */
    default String details() {
        return "";
    }

    @Override
    void close();
}
