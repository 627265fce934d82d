package io.qbridge;

import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Running again without setting the input gives the same output, and the input reads back as
 * written: no op may reuse the input's arena bytes (TFLite's arena planner keeps graph inputs for
 * the whole run too). A chain of three ops lets the third op's output take the input's place if
 * the planner let the input die after its last reader.
 */
class RunAgainTest {
    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void inputSurvivesARun(Interpreter.Backend backend) {
        int[] shape = {1, 64};
        QuantParams q = QuantParams.perTensor(1f / 256, 0);
        QuantParams in = QuantParams.perTensor(0.05f, 128);
        GraphBuilder g = new GraphBuilder();
        int x = g.input("x", DataType.UINT8, shape, in);
        int a = g.tensor("a", DataType.UINT8, shape, q);
        int b = g.tensor("b", DataType.UINT8, shape, q);
        int y = g.tensor("y", DataType.UINT8, shape, q);
        g.op(BuiltinOperator.LOGISTIC, new int[] {x}, new int[] {a}, OpOptions.None.INSTANCE);
        g.op(BuiltinOperator.LOGISTIC, new int[] {a}, new int[] {b}, OpOptions.None.INSTANCE);
        g.op(BuiltinOperator.LOGISTIC, new int[] {b}, new int[] {y}, OpOptions.None.INSTANCE);
        g.output(y);
        byte[] input = new byte[64];
        new Random(7).nextBytes(input);
        try (Interpreter it = ModelRunner.open(g.build(), backend, 1)) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            byte[] first = it.getOutputTensor(0).bytes();
            it.run();
            assertArrayEquals(first, it.getOutputTensor(0).bytes(), "second run's output");
            assertArrayEquals(input, it.getInputTensor(0).bytes(), "input after two runs");
        }
    }
}
