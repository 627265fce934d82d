package io.qbridge.tools.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens and closes counting windows of qbridge's QEMU plugin
 * ({@code cross-toolchains/qemu-icount/qbridge_icount.c}): a seek to a magic offset is a system
 * call the plugin sees, made from plain Java. Outside QEMU the seeks are harmless no-ops.
 */
final class IcountMarker implements AutoCloseable {
    static final long BEGIN = 0x51420B01L;
    static final long END = 0x51420E0DL;

    private final Path file;
    private final FileChannel channel;

    IcountMarker() {
        try {
            file = Files.createTempFile("qbridge-icount", ".marker");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the instruction-count marker file", e);
        }
    }

    /** Starts counting the calling thread's instructions. */
    void begin() {
        seek(BEGIN);
    }

    /** Stops counting; the plugin appends the window's counts to its output file. */
    void end() {
        seek(END);
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
        } catch (IOException e) {
            // the marker file is temporary; nothing is lost
        }
    }
}
