package io.qbridge.numerics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Float16Test {
    @Test
    void cornerCases() {
        assertEquals(65504f, Float16.toFloat((short) 0x7BFF), 0f);
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001), 0f);
        assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400), 0f);
        assertEquals(1f, Float16.toFloat((short) 0x3C00), 0f);
        assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xFC00), 0f);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Float16.toFloat((short) 0x8000)));
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7E00)));
    }
}
