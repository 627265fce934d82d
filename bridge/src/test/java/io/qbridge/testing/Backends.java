package io.qbridge.testing;

import io.qbridge.Interpreter;
import io.qbridge.backend.Backend;
import io.qbridge.backend.BackendRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The backends that can run on this machine, for {@code @MethodSource}: every op and model test
 * is parameterized over them and compares each with the Java reference.
 */
public final class Backends {
    private Backends() {
    }

    /** Every available backend, java first. */
    public static Stream<Interpreter.Backend> available() {
        List<Interpreter.Backend> list = new ArrayList<>();
        list.add(Interpreter.Backend.JAVA);
        for (Backend b : BackendRegistry.all()) {
            if (!b.name().equals("java") && b.unavailableReason() == null) {
                list.add(Interpreter.Backend.parse(b.name()));
            }
        }
        return list.stream();
    }

    /** Backends other than java that must be bit-exact with it (neon). */
    public static boolean isBitExact(Interpreter.Backend b) {
        return b != Interpreter.Backend.ARMNN;
    }
}
