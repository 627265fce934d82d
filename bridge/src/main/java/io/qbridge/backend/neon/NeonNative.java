package io.qbridge.backend.neon;

import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

import java.nio.ByteBuffer;

/**
 * The JNI peer of the native plan executor ({@code native/include/qbridge_native.h}); javacpp
 * generates and compiles its C++ side into {@code io/qbridge/backend/neon/<platform>/libjniNeonNative.so}
 * for linux-x86_64, linux-arm64 and linux-armhf. Only {@link NeonBackend} calls it, after
 * {@link NeonLibrary} has loaded the library.
 */
@Platform(value = {"linux-x86_64", "linux-arm64", "linux-armhf"}, include = "qbridge_native.h")
public final class NeonNative {
    private NeonNative() {
    }

    /** Compiles a program written by {@link PlanEncoder} against the arena; 0 and a message in error on failure. */
    public static native long qb_compile(@Cast("const signed char*") ByteBuffer program, long programBytes,
                                         @Cast("signed char*") ByteBuffer arena, long arenaBytes, int threads,
                                         @Cast("signed char*") byte[] error, int errorBytes);

    /** Runs one inference: every op of the plan, in one call. */
    public static native int qb_run(long handle);

    public static native void qb_release(long handle);

    /**
     * Tests: decodes a program as {@link #qb_compile} does and writes, NUL-terminated, every record's
     * name and every field its C++ reader read; returns the text's full length, or -1 with the reason in out.
     */
    public static native long qb_describe(@Cast("const signed char*") ByteBuffer program, long programBytes,
                                         @Cast("signed char*") ByteBuffer arena, long arenaBytes,
                                         @Cast("signed char*") byte[] out, long outBytes);

    /** The kernel family this CPU runs: aarch64-neondot, aarch64-neon, armv7-neon or portable. */
    public static native @Cast("const char*") String qb_isa();
}
