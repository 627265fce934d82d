package io.qbridge.testing;

/**
 * Whether the suite runs on an emulated Arm CPU: qemu-tests re-runs these suites on Arm JVMs under
 * QEMU (about ten times slower) and sets {@code qbridge.emulated=true} and {@code qbridge.qemu.cpu}.
 * Expensive tests may lower their repetition counts there ({@link #scaled}); every check a test
 * makes still runs: lowering counts is allowed, skipping assertions is not.
 */
public final class Emulation {
    private Emulation() {
    }

    /** True when the JVM runs under QEMU user-mode emulation (set by qemu-tests). */
    public static boolean isEmulated() {
        return Boolean.getBoolean("qbridge.emulated");
    }

    /** The QEMU {@code -cpu} model ({@code cortex-a72}, {@code max}, {@code cortex-a15}), or null natively. */
    public static String qemuCpu() {
        return System.getProperty("qbridge.qemu.cpu");
    }

    /** {@code nativeCount} on a real CPU, {@code emulatedCount} (at least 1) under emulation. */
    public static int scaled(int nativeCount, int emulatedCount) {
        return isEmulated() ? Math.max(1, emulatedCount) : nativeCount;
    }
}
