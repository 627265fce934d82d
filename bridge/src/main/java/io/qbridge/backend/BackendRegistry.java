package io.qbridge.backend;

import io.qbridge.backend.javaref.JavaBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The backends on the class path: the Java reference (always) and those registered through
 * {@link ServiceLoader} as {@link Backend} providers (neon, armnn), in order of preference for
 * {@code auto}.
 */
public final class BackendRegistry {
    private static volatile List<Backend> all;

    private BackendRegistry() {
    }

    /** Every known backend, best first for {@code auto}; java is always last. */
    public static List<Backend> all() {
        List<Backend> list = all;
        if (list == null) {
            List<Backend> found = new ArrayList<>();
            for (Backend b : ServiceLoader.load(Backend.class, BackendRegistry.class.getClassLoader())) {
                found.add(b);
            }
            found.add(JavaBackend.INSTANCE);
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
