package io.qbridge.converter.calibration;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    private static String drive(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = Progress.bar(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal);
        for (int i = 0; i <= 150; i++) {
            p.update("evaluating", i, 150);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFileGetsALinePerTenth() {
        String text = drive(false);
        assertEquals(11, text.lines().count(), text);
        assertTrue(text.startsWith("evaluating 0/150\nevaluating 15/150\n"), text);
        assertTrue(text.endsWith("evaluating 150/150\n"), text);
        assertTrue(text.indexOf('\r') < 0, text);
    }

    @Test
    void aTerminalGetsOneLineRedrawnInPlace() {
        String text = drive(true);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), text);
        assertTrue(text.endsWith("] 150/150\n"), text);
        assertTrue(text.startsWith("\revaluating ["), text);
    }
}
