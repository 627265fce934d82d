package io.qbridge.testing;

import io.qbridge.Interpreter;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One transcribed peer vector: a name citing its source file and test, and a check that runs it
 * on a backend and asserts the source's expectation. Peer-vector suites list their cases and run
 * each on every available backend.
 */
public record PeerCase(String name, Consumer<Interpreter.Backend> check) {
    @Override
    public String toString() {
        return name;
    }

    /** Every case crossed with every available backend, for {@code @MethodSource}. */
    public static Stream<Object[]> onEveryBackend(List<PeerCase> cases) {
        return Backends.available().flatMap(b -> cases.stream().map(c -> new Object[] {b, c}));
    }

    /** Numpy broadcast shape of two shapes (the tests' expected output shape). */
    public static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(Arrays.toString(a) + " and " + Arrays.toString(b));
            }
            r[i] = da == 1 ? db : da;
        }
        return r;
    }
}
