package io.qbridge.converter.calibration;

import java.io.PrintStream;

/** Reports the progress of a long step (calibration passes, evaluation). */
public interface Progress {
    Progress NONE = (phase, done, total) -> { };

    void update(String phase, int done, int total);

    /** A one-line text progress bar redrawn in place ({@code \r}), ended with a newline when done. */
    static Progress bar(PrintStream out) {
        return new Progress() {
            private static final int WIDTH = 30;
            private long lastDraw;

            @Override
            public void update(String phase, int done, int total) {
                long now = System.nanoTime();
                if (done != total && done != 0 && now - lastDraw < 100_000_000L) {
                    return;   // at most ten redraws a second
                }
                lastDraw = now;
                int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
                out.print("\r" + phase + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
                if (done == total) {
                    out.println();
                }
                out.flush();
            }
        };
    }
}
