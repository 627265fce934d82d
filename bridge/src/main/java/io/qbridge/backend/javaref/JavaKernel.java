package io.qbridge.backend.javaref;

/** One operator compiled for the Java backend: constants unpacked, arena offsets resolved. */
@FunctionalInterface
public interface JavaKernel {
    void run();
}
