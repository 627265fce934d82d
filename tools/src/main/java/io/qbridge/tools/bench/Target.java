package io.qbridge.tools.bench;

import java.util.List;
import java.util.Locale;

/** Where a benchmark runs: this machine, or an Arm target (natively on a board, else under QEMU). */
enum Target {
    HOST(null, null, null, null, List.of()),
    AARCH64("arm64", "aarch64-linux-gnu", "qemu-aarch64", "/usr/aarch64-linux-gnu", List.of("cortex-a72", "max")),
    ARMV7("armhf", "arm-linux-gnueabihf", "qemu-arm", "/usr/arm-linux-gnueabihf", List.of("cortex-a15", "cortex-a7"));

    /** Debian architecture, multiarch triplet, QEMU user-mode binary, the cross compiler's libc prefix. */
    final String debianArch;
    final String triplet;
    final String qemu;
    final String sysroot;
    /** CPU models worth emulating, the default first. */
    final List<String> cpus;

    Target(String debianArch, String triplet, String qemu, String sysroot, List<String> cpus) {
        this.debianArch = debianArch;
        this.triplet = triplet;
        this.qemu = qemu;
        this.sysroot = sysroot;
        this.cpus = cpus;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Target parse(String s) {
        for (Target t : values()) {
            if (t.id().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown target '" + s + "': use host, aarch64 or armv7");
    }

    /** True when this JVM already runs on the target's architecture (a board, or the host itself). */
    boolean isNative() {
        String arch = System.getProperty("os.arch");
        return switch (this) {
            case HOST -> true;
            case AARCH64 -> arch.equals("aarch64");
            case ARMV7 -> arch.equals("arm");
        };
    }

    /** Name of the machine the figures come from. */
    String hostName() {
        return this == HOST ? System.getProperty("os.arch") : id();
    }
}
