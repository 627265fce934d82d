package io.qbridge.backend;

import io.qbridge.plan.Plan;

/**
 * A way of running a {@link Plan}: the pure-Java reference, the NEON kernels, Arm NN. Backends
 * are found through {@link BackendRegistry}; each says whether it can run on this machine and
 * why not.
 */
public interface Backend {
    /** Short name as given in {@code Interpreter.Options} and on the command line: java, neon, armnn. */
    String name();

    /** Null when the backend can run here, else one line saying why not and what to install. */
    String unavailableReason();

    /**
     * Where {@code auto} tries this backend: lowest rank first (neon, then armnn, then java, which
     * runs every plan and so comes last). {@link BackendRegistry} lists backends in this order.
     */
    int autoRank();

    /**
     * Whether {@code auto} may choose this backend on this machine when it is available (armnn only
     * where its NEON backend runs: its CpuRef alone is slower than java). Asked for by name, an
     * available backend is used all the same.
     */
    default boolean usableForAuto() {
        return true;
    }

    /**
     * Prepares the plan for execution (packs weights, allocates the arena). Throws
     * {@link io.qbridge.UnsupportedModelException} for plans it cannot run.
     */
    Executable compile(Plan plan, int threads);
}
