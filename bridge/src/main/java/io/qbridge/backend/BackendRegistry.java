package io.qbridge.backend;

import io.qbridge.backend.javaref.JavaBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The backends on the class path: the Java reference (always) and those registered through
 * {@link ServiceLoader} as {@link Backend} providers (neon, armnn), in the order {@code auto}
 * tries them ({@link Backend#autoRank()}, not the class path's order).
 */
public final class BackendRegistry {
    private static volatile List<Backend> all;

    private BackendRegistry() {
    }

    /** Every known backend, by {@link Backend#autoRank()} (then name); java is last. */
    public static List<Backend> all() {
        List<Backend> list = all;
        if (list == null) {
            List<Backend> found = new ArrayList<>();
            for (Backend b : ServiceLoader.load(Backend.class, BackendRegistry.class.getClassLoader())) {
                found.add(b);
            }
            found.add(JavaBackend.INSTANCE);
            found.sort(Comparator.comparingInt(Backend::autoRank).thenComparing(Backend::name));
            all = list = List.copyOf(found);
        }
        return list;
    }

    /** The backend of that name, or null. */
    public static Backend byName(String name) {
        for (Backend b : all()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
