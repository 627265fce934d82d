package io.qbridge.armnn;

import io.qbridge.backend.Backend;
import io.qbridge.backend.Executable;
import io.qbridge.plan.Plan;

/**
 * Arm NN 20.08 (Debian's libarmnn22) as a qbridge backend: the model, as validated by qbridge and
 * written anew, goes to Arm NN's own TfLite parser, the network is optimized for the preferred backends ({@code CpuAcc,CpuRef}
 * unless {@code qbridge.armnn.backends} says otherwise) and loaded into the process's one runtime.
 * Arm NN rounds differently from TFLite's reference kernels: its results are held to a tolerance,
 * not bit-exactness. Registered through {@code META-INF/services/io.qbridge.backend.Backend}.
 */
public final class ArmNnBackend implements Backend {
    @Override
    public String name() {
        return "armnn";
    }

    @Override
    public String unavailableReason() {
        return ArmNnRuntime.unavailableReason();
    }

    /**
     * Auto picks Arm NN only where its NEON backend (CpuAcc) runs: CpuRef alone is a slow
     * reference implementation, slower than the Java backend and not bit-exact with it.
     */
    @Override
    public boolean usableForAuto() {
        ArmNnRuntime rt = ArmNnRuntime.get();
        return rt != null && rt.backendIds.contains("CpuAcc");
    }

    /** After neon (bit-exact with java), before java. */
    @Override
    public int autoRank() {
        return 200;
    }

    @Override
    public Executable compile(Plan plan, int threads) {
        ArmNnRuntime rt = ArmNnRuntime.get();
        if (rt == null) {
            throw new io.qbridge.BackendUnavailableException("the armnn backend cannot run here: "
                    + ArmNnRuntime.unavailableReason());
        }
        return new ArmNnExecutable(rt, plan, ArmNnRuntime.preferredBackends(), threads);
    }
}
