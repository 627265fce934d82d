package io.qbridge.converter.calibration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorFilesTest {

    /** A version 1.0 .npy file as numpy.save writes it (header padded to a multiple of 64). */
    static byte[] npy(String descr, boolean fortran, byte[] data, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        b.put(data);
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    @Test
    void readsNpyFloat32AndUint8AndRawFloat32(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.npy");
        Files.write(f, npy("<f4", false, floats(1.5f, -2f, 3f), "(1, 3)"));
        assertArrayEquals(new float[] {1.5f, -2f, 3f}, TensorFiles.read(f, 3));
        Path u = dir.resolve("b.npy");
        Files.write(u, npy("|u1", false, new byte[] {0, (byte) 200, 7}, "(3,)"));
        assertArrayEquals(new float[] {0f, 200f, 7f}, TensorFiles.read(u, 3));
        Path raw = dir.resolve("c.raw");
        Files.write(raw, floats(0.25f, 4f));
        assertArrayEquals(new float[] {0.25f, 4f}, TensorFiles.read(raw, 2));
    }

    @Test
    void refusesWhatItCannotReadWithTheReason(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("f.npy");
        Files.write(f, npy("<f4", true, floats(1, 2), "(2,)"));
        assertTrue(assertThrows(IOException.class, () -> TensorFiles.read(f, 2)).getMessage().contains("Fortran"));
        Path big = dir.resolve("big.npy");
        Files.write(big, npy(">f4", false, floats(1, 2), "(2,)"));
        assertTrue(assertThrows(IOException.class, () -> TensorFiles.read(big, 2)).getMessage().contains(">f4"));
        Path count = dir.resolve("n.raw");
        Files.write(count, floats(1, 2, 3));
        assertTrue(assertThrows(IOException.class, () -> TensorFiles.read(count, 2)).getMessage().contains("3 values"));
        Path junk = dir.resolve("j.npy");
        Files.write(junk, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> TensorFiles.read(junk, 1));
    }
}
