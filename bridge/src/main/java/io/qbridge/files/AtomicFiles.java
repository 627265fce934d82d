package io.qbridge.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writing a result file as a careful tool does: checked before the work that makes it (a long
 * calibration must not end in "folder not found"), written to a sibling and renamed over the
 * target (readers see the old file or the whole new one, never half of it), and only ever a
 * regular file: a device, folder or pipe at the path is refused, never replaced (as root, renaming
 * over {@code /dev/full} replaced the device node).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Checks that {@code path} can be written as a regular file: its folder exists and is writable,
     * and the path is absent or a regular, writable file. Throws a FileSystemException naming the
     * path and the reason.
     */
    public static void checkWritable(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new FileSystemException(path.toString(), null, "its folder " + dir + " does not exist");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path)) {
            throw new FileSystemException(path.toString(), null,
                    "exists and is not a regular file (a device, folder or pipe is never replaced)");
        }
        if (Files.exists(path) ? !Files.isWritable(path) : !Files.isWritable(dir)) {
            throw new FileSystemException(path.toString(), null, "not writable here");
        }
    }

    /** Writes {@code bytes} (from position to limit) to {@code path} atomically; see the class comment. */
    public static void write(Path path, ByteBuffer bytes) throws IOException {
        checkWritable(path);
        Path dir = path.toAbsolutePath().getParent();
        // A sibling with a unique name, created like any new file (the umask's permissions, not
        // createTempFile's owner-only ones), then renamed over the target.
        Path tmp = dir.resolve(path.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".partial");
        try {
            try (var channel = Files.newByteChannel(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer b = bytes.duplicate();
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
            // checked again just before the rename: the path may have become something else meanwhile
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path)) {
                throw new FileSystemException(path.toString(), null, "exists and is not a regular file");
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes text as UTF-8 to {@code path} atomically. */
    public static void writeString(Path path, String text) throws IOException {
        write(path, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
}
