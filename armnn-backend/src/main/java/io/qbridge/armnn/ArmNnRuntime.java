package io.qbridge.armnn;

import io.qbridge.armnn.bindings.ArmnnRuntime;
import org.bytedeco.javacpp.Loader;

import java.io.File;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The process's one Arm NN runtime, created on first use: loads the JNI library (which links
 * Debian's libarmnn.so.22 and libarmnnTfLiteParser.so.22) and creates {@code IRuntime} with the
 * dynamic-backends folder. When any of that fails, {@link #unavailableReason()} says why and what to
 * install, and nothing is retried.
 * <p>
 * Settings (system property, else environment variable):
 * <ul>
 * <li>{@code qbridge.armnn.backends} / {@code QBRIDGE_ARMNN_BACKENDS}: preferred Arm NN backends,
 * best first (default {@code CpuAcc,CpuRef}); layers the first cannot run go to the next.</li>
 * <li>{@code qbridge.armnn.dynamicBackendsPath} / {@code QBRIDGE_ARMNN_DYNAMIC_BACKENDS}: the folder
 * of Arm NN's dynamic backends (default Debian's {@code /usr/lib/<triplet>/armnn22}, else the
 * {@code armnn22} folder beside the libarmnn.so.22 that was loaded, e.g. from an unpacked sysroot).</li>
 * </ul>
 */
final class ArmNnRuntime {
    private static final Logger LOG = Logger.getLogger(ArmNnRuntime.class.getName());

    static final String DEFAULT_BACKENDS = "CpuAcc,CpuRef";
    /** What a Debian/Ubuntu machine needs for this backend at run time. */
    static final String PACKAGES = "libarmnn22 libarmnntfliteparser22 libarmnn-cpuref-backend22"
            + " (and libarmnn-cpuacc-backend22 on arm64/armhf for NEON)";
    /** What building its JNI library needs (headers and the TfLite parser), as scripts/install-deps.sh installs. */
    static final String BUILD_PACKAGES = "libarmnn-dev libarmnntfliteparser-dev libarmnn-cpuref-backend22";

    private static final Object LOCK = new Object();
    private static volatile ArmNnRuntime instance;
    private static volatile String unavailable;

    final ArmnnRuntime runtime;
    final String backendIds;
    /** The Compute Library scheduler's thread count last set through this class, 0 before. */
    private int computeLibraryThreads;
    private boolean computeLibraryUnreachable;

    private ArmNnRuntime(ArmnnRuntime runtime) {
        this.runtime = runtime;
        this.backendIds = runtime.backendIds();
    }

    /** The runtime, or null when Arm NN cannot run here ({@link #unavailableReason()} says why). */
    static ArmNnRuntime get() {
        ArmNnRuntime r = instance;
        if (r == null && unavailable == null) {
            synchronized (LOCK) {
                if (instance == null && unavailable == null) {
                    init();
                }
                r = instance;
            }
        }
        return r;
    }

    static String unavailableReason() {
        return get() == null ? unavailable : null;
    }

    private static void init() {
        String platform = Loader.getPlatform();
        String library = "io/qbridge/armnn/" + platform + "/"
                + System.mapLibraryName("jniarmnn");
        if (ArmNnRuntime.class.getClassLoader().getResource(library) == null) {
            unavailable = "Arm NN not installed where this qbridge-armnn was built (no native library for "
                    + platform + "): apt-get install " + BUILD_PACKAGES + " (scripts/install-deps.sh does it), then rebuild";
            return;
        }
        try {
            Loader.load(io.qbridge.armnn.bindings.global.armnn.class);
        } catch (Throwable e) {
            // UnsatisfiedLinkError: libarmnn.so.22 or libarmnnTfLiteParser.so.22 missing
            unavailable = "Arm NN not installed: libarmnn is not loadable (" + rootMessage(e) + "): apt-get install "
                    + PACKAGES;
            return;
        }
        String path = dynamicBackendsPath();
        ArmnnRuntime rt = new ArmnnRuntime(path);
        if (!rt.ok()) {
            unavailable = "Arm NN's runtime could not be created: " + rt.error();
            rt.close();
            return;
        }
        ArmNnRuntime created = new ArmNnRuntime(rt);
        if (created.backendIds.isEmpty()) {
            unavailable = "Arm NN found no backend in '" + path + "': install Debian's " + PACKAGES;
            return;
        }
        LOG.fine(() -> "qbridge: Arm NN " + rt.version() + " with backends " + created.backendIds);
        instance = created;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    static String preferredBackends() {
        return setting("qbridge.armnn.backends", "QBRIDGE_ARMNN_BACKENDS", DEFAULT_BACKENDS);
    }

    /** Debian's folder for this architecture when it exists, else "" (the façade then looks beside libarmnn). */
    static String dynamicBackendsPath() {
        String triplet = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "arm" -> "arm-linux-gnueabihf";
            default -> null;
        };
        String debian = triplet == null ? "" : "/usr/lib/" + triplet + "/armnn22";
        return setting("qbridge.armnn.dynamicBackendsPath", "QBRIDGE_ARMNN_DYNAMIC_BACKENDS",
                !debian.isEmpty() && new File(debian).isDirectory() ? debian : "");
    }

    /**
     * Sets the Compute Library scheduler's threads (process-wide, used by CpuAcc) when they differ from
     * the last count set here; logs the reason once when the scheduler cannot be reached.
     */
    synchronized void useComputeLibraryThreads(int threads) {
        if (threads == computeLibraryThreads || computeLibraryUnreachable) {
            return;
        }
        if (runtime.setComputeLibraryThreads(threads)) {
            computeLibraryThreads = threads;
        } else {
            computeLibraryUnreachable = true;
            LOG.warning("qbridge: cannot set Arm NN CpuAcc threads: " + runtime.error());
        }
    }
}
