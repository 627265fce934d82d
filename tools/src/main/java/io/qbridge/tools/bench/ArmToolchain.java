package io.qbridge.tools.bench;

import io.qbridge.tools.CliException;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Arm JDK, libraries and QEMU that {@code cross-toolchains/setup.sh} installs, found through
 * {@code $QBRIDGE_TOOLCHAINS} or the {@code .toolchains} folder of the checkout bench.jar lives in.
 */
record ArmToolchain(Target target, Path archRoot, Path java, List<Path> libraryPath, Path qemu, Path icountPlugin) {

    static final String SETUP = "cross-toolchains/setup.sh";

    static ArmToolchain find(Target target) {
        Path root = toolchainsRoot();
        if (root == null) {
            throw new CliException("the " + target.id() + " toolchain is not set up (no .toolchains folder found beside "
                    + "bench.jar or in $QBRIDGE_TOOLCHAINS): run " + SETUP + " in the qbridge checkout");
        }
        Path archRoot = root.resolve(target.debianArch);
        Path java = findJava(archRoot, target);
        if (java == null) {
            throw new CliException("no " + target.debianArch + " JDK under " + archRoot + ": run " + SETUP);
        }
        Path qemu = onPath(target.qemu);
        if (qemu == null) {
            throw new CliException(target.qemu + " not found: run " + SETUP + " (installs qemu-user)");
        }
        if (!Files.isDirectory(Path.of(target.sysroot))) {
            throw new CliException(target.sysroot + " not found (the cross compiler's libc): run " + SETUP);
        }
        List<Path> libs = new ArrayList<>();
        for (String dir : new String[] {"lib/" + target.triplet, "usr/lib/" + target.triplet, "lib", "usr/lib"}) {
            Path p = archRoot.resolve(dir);
            if (Files.isDirectory(p)) {
                libs.add(p);
            }
        }
        // Debian's Arm NN for the armnn backend, where cross-toolchains/armnn-sysroot.sh has unpacked it
        // (its dynamic backends are found beside libarmnn.so.22)
        Path armnn = root.resolve("armnn-" + target.debianArch).resolve("usr/lib/" + target.triplet);
        if (Files.isDirectory(armnn)) {
            libs.add(armnn);
        }
        Path plugin = root.resolve("qemu-icount/libqbridge_icount.so");
        return new ArmToolchain(target, archRoot, java, libs, qemu, Files.isRegularFile(plugin) ? plugin : null);
    }

    private static Path findJava(Path archRoot, Target target) {
        Path jvm = archRoot.resolve("usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvm)) {
            return dirs.map(d -> d.resolve("bin/java")).filter(Files::isRegularFile).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** $QBRIDGE_TOOLCHAINS, else the first .toolchains walking up from the code's location or the working directory. */
    static Path toolchainsRoot() {
        String env = System.getenv("QBRIDGE_TOOLCHAINS");
        if (env != null && !env.isEmpty()) {
            return Files.isDirectory(Path.of(env)) ? Path.of(env).toAbsolutePath() : null;
        }
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(ArmToolchain.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            // no code location (unusual class loader): the working directory still counts
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve(".toolchains"))) {
                    return p.resolve(".toolchains");
                }
            }
        }
        return null;
    }

    static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The command prefix that runs the target JVM under QEMU with the given CPU model. */
    List<String> command(String cpu, Path icountOutput) {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-cpu", cpu, "-L", target.sysroot));
        if (!libraryPath.isEmpty()) {
            cmd.add("-E");
            cmd.add("LD_LIBRARY_PATH=" + String.join(":", libraryPath.stream().map(Path::toString).toList()));
        }
        // 32-bit guests get EOVERFLOW listing ext4 directories: setup.sh builds a readdir() that fixes it
        Path readdirFix = archRoot.resolve("qbridge/libreaddir32.so");
        if (target == Target.ARMV7 && Files.isRegularFile(readdirFix)) {
            cmd.add("-E");
            cmd.add("LD_PRELOAD=" + readdirFix);
        }
        if (icountOutput != null && icountPlugin != null) {
            cmd.add("-plugin");
            String plugin = icountPlugin + ",out=" + icountOutput;
            if (target == Target.AARCH64) {
                // instruction-word classes (QEMU plugins see words, not disassembly)
                plugin += ",class=sdot:bfa0fc00:0e809400,class=smlal:bf20fc00:0e208000";
            }
            cmd.add(plugin);
        }
        cmd.add(java.toString());
        return cmd;
    }
}
