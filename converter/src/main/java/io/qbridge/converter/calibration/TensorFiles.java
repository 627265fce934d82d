package io.qbridge.converter.calibration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one input tensor from a file: NumPy {@code .npy} (version 1-3, C order, little-endian
 * float32/float64/int8/uint8/int16/int32) or raw little-endian float32.
 */
public final class TensorFiles {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");

    private TensorFiles() {
    }

    /** The file's values as floats; there must be exactly {@code expected} of them. */
    public static float[] read(Path file, int expected) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] v = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")
                ? npy(file, bytes) : raw(file, bytes);
        if (v.length != expected) {
            throw new IOException(file + " holds " + v.length + " values, the model's input has " + expected);
        }
        return v;
    }

    static float[] raw(Path file, byte[] bytes) throws IOException {
        if (bytes.length % 4 != 0) {
            throw new IOException(file + ": " + bytes.length + " bytes is not a whole number of float32 values");
        }
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    static float[] npy(Path file, byte[] bytes) throws IOException {
        for (int i = 0; i < NPY_MAGIC.length; i++) {
            if (bytes.length <= i || bytes[i] != NPY_MAGIC[i]) {
                throw new IOException(file + ": not a .npy file");
            }
        }
        if (bytes.length < 10) {
            throw new IOException(file + ": truncated .npy header");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = b.getShort(8) & 0xFFFF;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IOException(file + ": truncated .npy header");
            }
            headerLength = b.getInt(8) & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw new IOException(file + ": .npy format version " + major + " is not supported");
        }
        if (headerStart + headerLength > bytes.length) {
            throw new IOException(file + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, (int) headerLength, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        if (!d.find()) {
            throw new IOException(file + ": .npy header without a dtype: " + header.trim());
        }
        if (f.find() && f.group(1).equals("True")) {
            throw new IOException(file + ": Fortran-order .npy arrays are not supported");
        }
        String descr = d.group(1);
        int start = headerStart + (int) headerLength;
        int size;
        switch (descr) {
            case "<f4": size = 4; break;
            case "<f8": size = 8; break;
            case "<i4": size = 4; break;
            case "<i2": size = 2; break;
            case "|i1": case "<i1": size = 1; break;
            case "|u1": case "<u1": size = 1; break;
            default: throw new IOException(file + ": .npy dtype '" + descr + "' is not supported"
                    + " (float32, float64, int32, int16, int8, uint8, little-endian)");
        }
        int n = (bytes.length - start) / size;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int at = start + i * size;
            switch (descr) {
                case "<f4": v[i] = b.getFloat(at); break;
                case "<f8": v[i] = (float) b.getDouble(at); break;
                case "<i4": v[i] = b.getInt(at); break;
                case "<i2": v[i] = b.getShort(at); break;
                case "|u1": case "<u1": v[i] = bytes[at] & 0xFF; break;
                default: v[i] = bytes[at]; break;
            }
        }
        return v;
    }
}
