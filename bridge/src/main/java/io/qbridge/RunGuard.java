package io.qbridge;

/**
 * An Interpreter's concurrency contract: one inference at a time, and nothing after close. A second
 * thread's {@code run()} is refused (never two inferences over one arena: that corrupted outputs
 * silently), and {@code close()} waits for a running inference to end before the backend frees
 * what it runs on (freeing the native plan under a running inference crashed the JVM).
 */
final class RunGuard {
    private Thread running;
    private boolean closed;

    /** Throws if the interpreter is closed. */
    synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the interpreter is closed");
        }
    }

    /** Marks the calling thread as running an inference; refuses if closed or another thread is running one. */
    synchronized void enter() {
        checkOpen();
        if (running != null) {
            throw new IllegalStateException("run() on thread '" + Thread.currentThread().getName() + "' while thread '"
                    + running.getName() + "' is running this Interpreter: an Interpreter runs one inference at a "
                    + "time; give each thread its own Interpreter");
        }
        running = Thread.currentThread();
    }

    /** Ends the calling thread's inference. */
    synchronized void exit() {
        running = null;
        notifyAll();
    }

    /**
     * Marks the interpreter closed and waits until no inference is running (an interrupt does not cut
     * the wait short: freeing under a running inference is what this prevents; it is restored after).
     *
     * @return true the first time, when the caller must free the backend's resources
     */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        boolean interrupted = false;
        while (running != null && running != Thread.currentThread()) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
