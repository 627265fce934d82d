package io.qbridge.backend;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code auto}'s order comes from each backend's declared rank, not from the class path. */
class BackendRegistryTest {
    @Test
    void backendsAreListedByAutoRankWithNeonFirstAndJavaLast() {
        List<Backend> all = BackendRegistry.all();
        List<String> names = all.stream().map(Backend::name).toList();
        assertTrue(names.size() >= 2 && names.get(0).equals("neon"), "neon is registered and first: " + names);
        assertEquals("java", names.get(names.size() - 1), "java is last: " + names);
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).autoRank() < all.get(i).autoRank(), "ranks ascend and differ: " + names);
        }
    }
}
