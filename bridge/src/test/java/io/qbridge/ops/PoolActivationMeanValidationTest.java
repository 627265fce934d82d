package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.QbridgeException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.plan.Planner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad pooling, MEAN and activation operators are refused when the model is planned, with an
 * exception that names the operator (and the tensor or option at fault), never a crash later.
 */
class PoolActivationMeanValidationTest {
    private static final QuantParams Q = QuantParams.perTensor(0.1f, 3);
    private static final QuantParams SOFTMAX_INT8 = QuantParams.perTensor(1f / 256, -128);

    private static <T extends QbridgeException> void assertRefused(Class<T> type, Graph g, String... fragments) {
        T e = assertThrows(type, () -> Planner.plan(g));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void meanAxisOutOfRange() {
        Graph g = OpGraphs.mean(DataType.INT8, new int[] {1, 7, 7, 8}, Q, new int[] {1, 4}, true,
                new int[] {1, 1, 7, 8}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (MEAN)", "axis 4 is out of range");
    }

    @Test
    void meanOutputShapeDisagrees() {
        Graph g = OpGraphs.mean(DataType.FLOAT32, new int[] {1, 7, 7, 8}, QuantParams.NONE, new int[] {1, 2}, false,
                new int[] {1, 1, 1, 8}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, g, "operator 0 (MEAN)", "output", "[1, 8]");
    }

    @Test
    void meanAxisMustBeConstantInt32() {
        GraphBuilder b = new GraphBuilder();
        int in = b.input("in", DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
        int axis = b.input("axis", DataType.INT32, new int[] {1}, QuantParams.NONE);
        int out = b.tensor("out", DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
        b.op(BuiltinOperator.MEAN, new int[] {in, axis}, new int[] {out}, new OpOptions.Reducer(false)).output(out);
        assertRefused(UnsupportedModelException.class, b.build(), "MEAN", "non-constant axis");

        GraphBuilder c = new GraphBuilder();
        int in2 = c.input("in", DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
        int axisF = c.constantFloat32("axis", new int[] {1}, new float[] {1f});
        int out2 = c.tensor("out", DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
        c.op(BuiltinOperator.MEAN, new int[] {in2, axisF}, new int[] {out2}, new OpOptions.Reducer(false)).output(out2);
        assertRefused(InvalidModelException.class, c.build(), "operator 0 (MEAN)", "axis", "FLOAT32");
    }

    @Test
    void meanOnInt16IsUnsupported() {
        Graph g = OpGraphs.mean(DataType.INT16, new int[] {2, 3}, Q, new int[] {1}, false, new int[] {2}, Q);
        assertRefused(UnsupportedModelException.class, g, "MEAN", "INT16");
    }

    @Test
    void poolWithZeroFilterOrStride() {
        Graph g = OpGraphs.unary(BuiltinOperator.AVERAGE_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 1, 1, 0, 2,
                Activation.NONE), DataType.FLOAT32, new int[] {1, 4, 4, 1}, QuantParams.NONE, new int[] {1, 3, 4, 1},
                QuantParams.NONE);
        assertRefused(InvalidModelException.class, g, "operator 0 (AVERAGE_POOL_2D)", "filter 2x0");
        Graph s = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.SAME, 0, 1, 2, 2,
                Activation.NONE), DataType.FLOAT32, new int[] {1, 4, 4, 1}, QuantParams.NONE, new int[] {1, 4, 4, 1},
                QuantParams.NONE);
        assertRefused(InvalidModelException.class, s, "operator 0 (MAX_POOL_2D)", "stride 1x0");
    }

    @Test
    void poolOutputShapeAndRank() {
        Graph g = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.INT8, new int[] {1, 4, 4, 3}, Q, new int[] {1, 3, 3, 3}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (MAX_POOL_2D)", "[1, 2, 2, 3]");
        Graph r = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.INT8, new int[] {4, 4, 3}, Q, new int[] {2, 2, 3}, Q);
        assertRefused(InvalidModelException.class, r, "operator 0 (MAX_POOL_2D)", "rank 3");
    }

    @Test
    void quantizedPoolMustKeepInputParameters() {
        Graph g = OpGraphs.unary(BuiltinOperator.AVERAGE_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.UINT8, new int[] {1, 4, 4, 3}, Q, new int[] {1, 2, 2, 3},
                QuantParams.perTensor(0.2f, 3));
        assertRefused(InvalidModelException.class, g, "operator 0 (AVERAGE_POOL_2D)", "input's parameters");
    }

    @Test
    void quantizedWithoutQuantizationParameters() {
        Graph g = OpGraphs.unary(BuiltinOperator.RELU, OpOptions.None.INSTANCE, DataType.INT8, new int[] {4},
                QuantParams.NONE, new int[] {4}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (RELU)", "no quantization parameters");
    }

    @Test
    void elementwiseOutputMustMatchInput() {
        Graph type = OpGraphs.unary(BuiltinOperator.RELU6, OpOptions.None.INSTANCE, DataType.FLOAT32, new int[] {4},
                QuantParams.NONE, new int[] {4}, QuantParams.NONE);
        GraphBuilder b = new GraphBuilder();
        int in = b.input("in", DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
        int out = b.tensor("out", DataType.INT8, new int[] {4}, Q);
        b.op(BuiltinOperator.RELU6, new int[] {in}, new int[] {out}, OpOptions.None.INSTANCE).output(out);
        assertRefused(InvalidModelException.class, b.build(), "operator 0 (RELU6)", "is INT8, expected FLOAT32");
        Graph shape = OpGraphs.unary(BuiltinOperator.TANH, OpOptions.None.INSTANCE, DataType.FLOAT32, new int[] {4},
                QuantParams.NONE, new int[] {2, 2}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, shape, "operator 0 (TANH)", "[2, 2]");
        Planner.plan(type);   // the well-formed twin plans
    }

    @Test
    void fixedOutputParametersAreRequired() {
        Graph softmaxZp = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.INT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, QuantParams.perTensor(1f / 256, 0));
        assertRefused(InvalidModelException.class, softmaxZp, "operator 0 (SOFTMAX)", "zero point -128");
        Graph softmaxScale = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.UINT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, QuantParams.perTensor(1f / 255, 0));
        assertRefused(InvalidModelException.class, softmaxScale, "operator 0 (SOFTMAX)", "scale 0.00390625");
        Graph logistic = OpGraphs.unary(BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, DataType.INT8,
                new int[] {8}, Q, new int[] {8}, QuantParams.perTensor(1f / 128, -128));
        assertRefused(InvalidModelException.class, logistic, "operator 0 (LOGISTIC)");
        Graph tanh = OpGraphs.unary(BuiltinOperator.TANH, OpOptions.None.INSTANCE, DataType.UINT8, new int[] {8}, Q,
                new int[] {8}, QuantParams.perTensor(1f / 128, 0));
        assertRefused(InvalidModelException.class, tanh, "operator 0 (TANH)", "zero point 128");
    }

    @Test
    void quantizedSoftmaxLimits() {
        Graph beta = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(0f), DataType.INT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, SOFTMAX_INT8);
        assertRefused(UnsupportedModelException.class, beta, "SOFTMAX", "beta 0.0");
        Graph deep = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.INT8,
                new int[] {1, 5000}, Q, new int[] {1, 5000}, SOFTMAX_INT8);
        assertRefused(UnsupportedModelException.class, deep, "SOFTMAX", "5000");
        Graph options = OpGraphs.unary(BuiltinOperator.SOFTMAX, OpOptions.None.INSTANCE, DataType.FLOAT32,
                new int[] {1, 10}, QuantParams.NONE, new int[] {1, 10}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, options, "operator 0 (SOFTMAX)", "options");
    }
}
