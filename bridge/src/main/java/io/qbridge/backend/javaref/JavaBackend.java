package io.qbridge.backend.javaref;

import io.qbridge.backend.Backend;
import io.qbridge.backend.Executable;
import io.qbridge.plan.Plan;

/**
 * The pure-Java reference backend: runs on any JVM, bit-exact with TFLite's reference kernels.
 * It is what the other backends are checked against and the fallback where no native library
 * loads.
 */
public final class JavaBackend implements Backend {
    public static final JavaBackend INSTANCE = new JavaBackend();

    private JavaBackend() {
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    /** Last: it runs every plan, so auto falls back to it. */
    @Override
    public int autoRank() {
        return 1000;
    }

    @Override
    public Executable compile(Plan plan, int threads) {
        return new JavaExecutable(plan, threads);
    }
}
