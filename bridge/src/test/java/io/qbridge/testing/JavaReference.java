package io.qbridge.testing;

import io.qbridge.Interpreter;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The one check every op test makes on top of its own (float tolerance, golden values): a
 * backend's output equals the Java reference's on the same model and inputs, byte for byte. A
 * float tolerance alone would let an off-by-one native result through. Backends that round
 * differently by design (armnn: {@link Backends#isBitExact}) are held to their tests' own
 * tolerances instead. {@link ModelRunner} and {@link SingleOpHarness} call it on every run.
 */
public final class JavaReference {
    private JavaReference() {
    }

    /**
     * Asserts that {@code actual}, the output bytes of {@code backend}, equal java's (computed by
     * {@code runOnJava} only when needed). Returns {@code actual}.
     */
    public static byte[] assertBitExact(Interpreter.Backend backend, byte[] actual, Supplier<byte[]> runOnJava,
                                        String what) {
        if (isComparedWithJava(backend)) {
            assertArrayEquals(runOnJava.get(), actual, () -> backend.id() + " differs from java byte for byte: " + what);
        }
        return actual;
    }

    /** Whether {@link #assertBitExact} compares this backend's output with java's. */
    public static boolean isComparedWithJava(Interpreter.Backend backend) {
        return backend != Interpreter.Backend.JAVA && Backends.isBitExact(backend);
    }
}
