package io.qbridge.backend.neon;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native library once, through javacpp's {@link Loader} (which picks the classifier
 * jar's library for this platform), and remembers why it could not. Kept apart from
 * {@link NeonBackend} so that a class path without javacpp only makes the backend unavailable.
 */
final class NeonLibrary {
    private static final String UNAVAILABLE_REASON = load();
    private static String isa;

    private NeonLibrary() {
    }

    /** Null when loaded, else one line saying why not. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** The kernel family the loaded library runs here. */
    static String isa() {
        return isa;
    }

    private static String load() {
        String platform = "this platform";
        try {
            platform = Loader.getPlatform();
            Loader.load(NeonNative.class);
            isa = NeonNative.qb_isa();
            return null;
        } catch (Throwable t) {   // UnsatisfiedLinkError, NoClassDefFoundError: report, never crash
            String why = t.getMessage() == null ? t.toString() : t.getMessage();
            return "no qbridge native library loads on " + platform + " (" + why.lines().findFirst().orElse(why)
                    + "); libraries are built for linux-x86_64, linux-arm64 and linux-armhf";
        }
    }
}
