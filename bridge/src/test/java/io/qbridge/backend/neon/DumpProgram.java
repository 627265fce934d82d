package io.qbridge.backend.neon;

import io.qbridge.graph.Graph;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.ModelReader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Developer tool: writes the native program of a model (PlanEncoder's output) to a file and
 * prints its arena size and each op, for native/test/plan_bench.cc under qemu-icount:
 * {@code java -cp ... io.qbridge.backend.neon.DumpProgram MODEL.tflite OUT.bin}.
 */
public final class DumpProgram {
    private DumpProgram() {
    }

    public static void main(String[] args) throws Exception {
        ByteBuffer bytes;
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
            bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        Graph graph = ModelReader.read(bytes);
        Plan plan = Planner.plan(graph);
        ByteBuffer program = PlanEncoder.encode(plan);
        byte[] out = new byte[program.remaining()];
        program.get(out);
        Files.write(Path.of(args[1]), out);
        System.out.println("arena " + plan.arenaBytes() + " macs " + plan.macs());
        for (int i = 0; i < plan.ops().size(); i++) {
            System.out.println(i + " " + plan.ops().get(i).describe() + " macs " + plan.ops().get(i).macs());
        }
    }
}
