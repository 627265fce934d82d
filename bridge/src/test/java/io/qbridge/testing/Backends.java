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

    /**
     * Every available backend, java first; only those named in {@code -Dqbridge.test.backends=a,b}
     * where that is set (armnn-backend re-runs these suites for armnn alone: java and neon have run
     * them already in bridge and qemu-tests).
     */
    public static Stream<Interpreter.Backend> available() {
        List<Interpreter.Backend> list = new ArrayList<>();
        list.add(Interpreter.Backend.JAVA);
        for (Backend b : BackendRegistry.all()) {
            if (!b.name().equals("java") && b.unavailableReason() == null) {
                list.add(Interpreter.Backend.parse(b.name()));
            }
        }
        String only = System.getProperty("qbridge.test.backends", "").trim();
        if (!only.isEmpty()) {
            List<String> names = List.of(only.split("\\s*,\\s*"));
            list.removeIf(b -> !names.contains(b.id()));
        }
        return list.stream();
    }

    /** Backends other than java that must be bit-exact with it (neon). */
    public static boolean isBitExact(Interpreter.Backend b) {
        return b != Interpreter.Backend.ARMNN;
    }
}
