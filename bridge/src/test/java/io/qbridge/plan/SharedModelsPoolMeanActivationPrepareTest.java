package io.qbridge.plan;

import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX, LOGISTIC, TANH, RELU and RELU6 in the shared
 * models ({@code ../shared/models} and {@code single-op-float}) prepares without error, whatever
 * the other ops of its model. Models the reader refuses are reported and left out.
 */
class SharedModelsPoolMeanActivationPrepareTest {
    private static final Set<Integer> CODES = Set.of(BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.MAX_POOL_2D,
            BuiltinOperator.MEAN, BuiltinOperator.SOFTMAX, BuiltinOperator.LOGISTIC, BuiltinOperator.TANH,
            BuiltinOperator.RELU, BuiltinOperator.RELU6);

    @Test
    void everyOpOfTheseFamiliesInTheSharedModelsPrepares() throws IOException {
        Path models = SharedData.require("models");
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.list(models), Files.list(models.resolve("single-op-float")))) {
            files = s.filter(p -> p.toString().endsWith(".tflite")).sorted().toList();
        }
        int prepared = 0;
        List<String> unreadable = new ArrayList<>();
        for (Path file : files) {
            Graph graph;
            try {
                graph = ModelReader.read(file);
            } catch (RuntimeException e) {
                unreadable.add(file.getFileName() + ": " + e.getMessage());
                continue;
            }
            for (Operator op : graph.operators()) {
                if (CODES.contains(op.builtinCode())) {
                    OpParams params = OpRegistry.preparer(op.builtinCode()).prepare(new PrepareContext(graph, op));
                    assertTrue(params != null, file.getFileName() + " " + op.opName());
                    prepared++;
                }
            }
        }
        if (!unreadable.isEmpty()) {
            System.out.println("models the reader refuses (not this test's concern): " + unreadable);
        }
        // Without person_detect: 13 SOFTMAX, 8 AVERAGE_POOL_2D, 1 MEAN in models/; RELU, TANH,
        // MAX_POOL_2D, MEAN and LOGISTIC in single-op-float.
        assertTrue(prepared >= 27, "only " + prepared + " ops prepared");
    }
}
