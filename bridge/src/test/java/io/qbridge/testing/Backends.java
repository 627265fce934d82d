package io.qbridge.testing;

import io.qbridge.Interpreter;
import io.qbridge.backend.Backend;
import io.qbridge.backend.BackendRegistry;
import org.opentest4j.TestAbortedException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The backends that can run on this machine, for {@code @MethodSource}: every op and model test
 * is parameterized over them and compares each with the Java reference.
 */
public final class Backends {
    private static final AtomicBoolean noBackendSaid = new AtomicBoolean();

    private Backends() {
    }

    /**
     * Every available backend, java first; only those named in {@code -Dqbridge.test.backends=a,b}
     * where that is set (armnn-backend re-runs these suites for armnn alone: java and neon have run
     * them already in bridge and qemu-tests). Where none of those can run here, the calling test or
     * parameterized suite is skipped (aborted) with each backend's reason, e.g. "armnn: Arm NN not
     * installed ...": a suite over no backend must neither pass silently nor error.
     */
    public static Stream<Interpreter.Backend> available() {
        List<Interpreter.Backend> list = onThisMachine();
        if (list.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            for (String name : requested()) {
                Backend b = BackendRegistry.byName(name);
                reasons.add(name + ": " + (b == null ? "not on the class path" : b.unavailableReason()));
            }
            String why = "no backend to test here (qbridge.test.backends=" + String.join(",", requested()) + "): "
                    + String.join("; ", reasons);
            // Surefire reports an aborted parameterized suite as "Tests run: 0" without the reason: say it once.
            if (!noBackendSaid.getAndSet(true)) {
                System.out.println("[backends] every suite over backends skips: " + why);
            }
            throw new TestAbortedException(why);
        }
        return list.stream();
    }

    /** The backends {@link #available()} gives, or an empty list where none can run here. */
    public static List<Interpreter.Backend> onThisMachine() {
        List<Interpreter.Backend> list = new ArrayList<>();
        list.add(Interpreter.Backend.JAVA);
        for (Backend b : BackendRegistry.all()) {
            if (!b.name().equals("java") && b.unavailableReason() == null) {
                list.add(Interpreter.Backend.parse(b.name()));
            }
        }
        List<String> names = requested();
        if (!names.isEmpty()) {
            list.removeIf(b -> !names.contains(b.id()));
        }
        return list;
    }

    private static List<String> requested() {
        String only = System.getProperty("qbridge.test.backends", "").trim();
        return only.isEmpty() ? List.of() : List.of(only.split("\\s*,\\s*"));
    }

    /** Backends other than java that must be bit-exact with it (neon). */
    public static boolean isBitExact(Interpreter.Backend b) {
        return b != Interpreter.Backend.ARMNN;
    }
}
