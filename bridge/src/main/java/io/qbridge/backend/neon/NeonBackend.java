package io.qbridge.backend.neon;

import io.qbridge.UnsupportedModelException;
import io.qbridge.backend.Backend;
import io.qbridge.backend.Executable;
import io.qbridge.plan.Plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * qbridge's own C++ int8/uint8 kernels (NEON on aarch64 with SDOT/UDOT where the CPU has it,
 * NEON on armv7, portable C++ elsewhere) reached through one JNI call per inference. Bit-exact
 * with the Java reference. Registered through {@link java.util.ServiceLoader}.
 */
public final class NeonBackend implements Backend {
    private static final int ERROR_BYTES = 512;

    @Override
    public String name() {
        return "neon";
    }

    @Override
    public String unavailableReason() {
        return NeonLibrary.unavailableReason();
    }

    /** The kernel family used on this CPU, or null when the library does not load. */
    public static String isa() {
        return NeonLibrary.unavailableReason() == null ? NeonLibrary.isa() : null;
    }

    /** First: bit-exact with java and the fastest where it loads. */
    @Override
    public int autoRank() {
        return 100;
    }

    @Override
    public Executable compile(Plan plan, int threads) {
        String why = unavailableReason();
        if (why != null) {
            throw new io.qbridge.BackendUnavailableException("the neon backend cannot run here: " + why);
        }
        ByteBuffer program = PlanEncoder.encode(plan);   // UnsupportedModelException for ops it lacks
        long arenaBytes = plan.arenaBytes();
        if (arenaBytes > Integer.MAX_VALUE - 256) {
            throw new UnsupportedModelException(name(), List.of("a " + arenaBytes + "-byte arena"));
        }
        // 64-byte aligned, plus slack that vector kernels may read past a tensor's last byte.
        ByteBuffer arena = ByteBuffer.allocateDirect((int) arenaBytes + 192).alignedSlice(Plan.ALIGNMENT)
                .order(ByteOrder.LITTLE_ENDIAN);
        byte[] error = new byte[ERROR_BYTES];
        long handle = NeonNative.qb_compile(program, program.capacity(), arena, arenaBytes, Math.max(1, threads),
                error, ERROR_BYTES);
        if (handle == 0) {
            int n = 0;
            while (n < error.length && error[n] != 0) {
                n++;
            }
            throw new UnsupportedModelException(name(), List.of("native compilation failed: "
                    + new String(error, 0, n, StandardCharsets.UTF_8)));
        }
        return new NeonExecutable(plan, arena, handle);
    }
}
