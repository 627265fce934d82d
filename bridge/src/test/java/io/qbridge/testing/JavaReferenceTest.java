package io.qbridge.testing;

import io.qbridge.Interpreter;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared byte-for-byte check catches a one-step difference, and compares whom it should. */
class JavaReferenceTest {
    @Test
    void aOneStepDifferenceFromJavaFailsOnABitExactBackend() {
        byte[] java = {1, 2, 3};
        assertThrows(AssertionFailedError.class,
                () -> JavaReference.assertBitExact(Interpreter.Backend.NEON, new byte[] {1, 2, 4}, () -> java, "test"));
        assertArrayEquals(java, JavaReference.assertBitExact(Interpreter.Backend.NEON, java.clone(), () -> java, "test"));
    }

    @Test
    void javaIsTheReferenceAndArmnnKeepsItsTolerance() {
        assertTrue(JavaReference.isComparedWithJava(Interpreter.Backend.NEON));
        assertFalse(JavaReference.isComparedWithJava(Interpreter.Backend.JAVA));
        assertFalse(JavaReference.isComparedWithJava(Interpreter.Backend.ARMNN));
    }
}
