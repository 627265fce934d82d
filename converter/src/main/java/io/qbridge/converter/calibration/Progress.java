package io.qbridge.converter.calibration;

import java.io.PrintStream;

/** Reports the progress of a long step (calibration passes, evaluation). */
public interface Progress {
    Progress NONE = (phase, done, total) -> { };

    void update(String phase, int done, int total);

    /**
     * A one-line text progress bar redrawn in place ({@code \r}) on a terminal, ended with a
     * newline when done; into a file or pipe (no console), a line per tenth instead.
     */
    static Progress bar(PrintStream out) {
        return bar(out, System.console() != null);
    }

    static Progress bar(PrintStream out, boolean terminal) {
        return new Progress() {
            private static final int WIDTH = 30;
            private long lastDraw;
            private String lastPhase;
            private int lastTenth = -1;

            @Override
            public void update(String phase, int done, int total) {
                if (!terminal) {
                    int tenth = total == 0 ? 10 : (int) (10L * done / total);
                    if (!phase.equals(lastPhase) || tenth != lastTenth) {
                        lastPhase = phase;
                        lastTenth = tenth;
                        out.println(phase.strip() + " " + done + "/" + total);
                        out.flush();
                    }
                    return;
                }
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
