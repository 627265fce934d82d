package io.qbridge.tools.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Opens and closes counting windows of qbridge's QEMU plugin
 * ({@code cross-toolchains/qemu-icount/qbridge_icount.c}): a seek to a magic offset is a system
 * call the plugin sees, made from plain Java. The plugin appends each closed window's counts to
 * its output file, which this (guest) process reads back: the host's file system is the guest's.
 */
final class IcountMarker implements AutoCloseable {
    static final long BEGIN = 0x51420B01L;
    static final long END = 0x51420E0DL;

    /** One closed window: guest instructions and SDOT instructions (-1 when not counted). */
    record Counts(long instructions, long sdot) {
    }

    private final Path markerFile;
    private final FileChannel channel;
    private final Path countsFile;
    private final FileChannel counts;
    /** Reused for every read: counting must not allocate between windows (see {@link #end}). */
    private final ByteBuffer line = ByteBuffer.allocateDirect(4096);
    private long countsRead;

    /** @param countsFile the plugin's {@code out=} file */
    IcountMarker(Path countsFile) {
        this.countsFile = countsFile;
        try {
            counts = FileChannel.open(countsFile, StandardOpenOption.READ);
            markerFile = Files.createTempFile("qbridge-icount", ".marker");
            channel = FileChannel.open(markerFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the instruction-count files", e);
        }
    }

    /** Starts counting the calling thread's instructions. */
    void begin() {
        seek(BEGIN);
    }

    /**
     * Stops counting and returns what the plugin counted in the window just closed (the plugin
     * writes the line before the seek returns). Reads without allocating beyond the result: Java
     * allocations between windows would move the points where the inference thread refills its
     * allocation buffer, a few hundred instructions that would land in some windows and not others.
     */
    Counts end() {
        seek(END);
        try {
            line.clear();
            while (true) {
                int n = counts.read(line, countsRead + line.position());
                for (int i = 0; i < line.position(); i++) {
                    if (line.get(i) == '\n') {
                        countsRead += i + 1;
                        line.limit(i).position(0);
                        return parse(line);
                    }
                }
                if (n <= 0 || !line.hasRemaining()) {
                    throw new IllegalStateException("the QEMU plugin wrote no count to " + countsFile
                            + " (is this JVM running under qemu with qbridge's plugin?)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the instruction counts from " + countsFile, e);
        }
    }

    /** Parses {@code window <n> vcpu <v> insns <count> [<class> <count> ...]} (ASCII). */
    static Counts parse(ByteBuffer text) {
        long insns = -1;
        long sdot = -1;
        int field = 0;
        boolean insnsField = false;
        boolean sdotField = false;
        int i = text.position();
        int end = text.limit();
        while (i < end) {
            while (i < end && text.get(i) == ' ') {
                i++;
            }
            if (i == end) {
                break;
            }
            int start = i;
            while (i < end && text.get(i) != ' ') {
                i++;
            }
            if (field == 0 && !word(text, start, i, "window") || field == 4 && !word(text, start, i, "insns")) {
                break;
            }
            if (insnsField || sdotField) {
                long v = number(text, start, i);
                if (insnsField) {
                    insns = v;
                } else {
                    sdot = v;
                }
            }
            insnsField = field == 4;
            sdotField = field >= 6 && field % 2 == 0 && word(text, start, i, "sdot");
            field++;
        }
        if (insns < 0) {
            byte[] b = new byte[end - text.position()];
            text.get(text.position(), b);
            throw new IllegalStateException("unexpected line from the QEMU plugin: "
                    + new String(b, StandardCharsets.US_ASCII));
        }
        return new Counts(insns, sdot);
    }

    private static boolean word(ByteBuffer text, int start, int end, String w) {
        if (end - start != w.length()) {
            return false;
        }
        for (int k = 0; k < w.length(); k++) {
            if (text.get(start + k) != w.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static long number(ByteBuffer text, int start, int end) {
        long v = 0;
        for (int k = start; k < end; k++) {
            int d = text.get(k) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private void seek(long offset) {
        try {
            channel.position(offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            counts.close();
        } catch (IOException e) {
            // the marker file is temporary; nothing is lost
        }
    }
}
