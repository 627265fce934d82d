package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.QbridgeException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.qbridge.testing.SingleOpHarness.floats;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed or unsupported ADD, MUL, CONCATENATION, RESHAPE, SQUEEZE, PAD, QUANTIZE and
 * DEQUANTIZE operators are refused when the model loads, with a message that names the operator
 * (invalid) or the op and variant (unsupported).
 */
class ElementwiseAndShapeValidationTest {
    private static final QuantParams Q = QuantParams.perTensor(0.1f, 0);

    private static <T extends QbridgeException> void refused(Class<T> type, String mention,
                                                             Consumer<SingleOpHarness> build) {
        SingleOpHarness h = new SingleOpHarness();
        build.accept(h);
        T e = assertThrows(type, () -> h.run(Interpreter.Backend.JAVA, 1));
        assertTrue(e.getMessage().contains(mention), e.getMessage());
    }

    @Test
    void addRefusesShapesThatDoNotBroadcast() {
        refused(InvalidModelException.class, "operator 0 (ADD)", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            int b = h.input(DataType.FLOAT32, new int[] {4, 3}, QuantParams.NONE, new byte[48]);
            h.output(DataType.FLOAT32, new int[] {4, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void addRefusesAnOutputOfAnotherShape() {
        refused(InvalidModelException.class, "the op computes [2, 3]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            int b = h.input(DataType.FLOAT32, new int[] {3}, QuantParams.NONE, new byte[12]);
            h.output(DataType.FLOAT32, new int[] {6}, QuantParams.NONE);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void mulRefusesMixedTypes() {
        refused(InvalidModelException.class, "operator 0 (MUL): input 2", h -> {
            int a = h.input(DataType.INT8, new int[] {4}, Q, new byte[4]);
            int b = h.input(DataType.UINT8, new int[] {4}, Q, new byte[4]);
            h.output(DataType.INT8, new int[] {4}, Q);
            h.op(BuiltinOperator.MUL, new int[] {a, b}, new OpOptions.Mul(Activation.NONE));
        });
    }

    @Test
    void mulWithTanhActivationIsUnsupported() {
        refused(UnsupportedModelException.class, "MUL with fused activation TANH", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {4}, QuantParams.NONE, new byte[16]);
            int b = h.input(DataType.FLOAT32, new int[] {4}, QuantParams.NONE, new byte[16]);
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.MUL, new int[] {a, b}, new OpOptions.Mul(Activation.TANH));
        });
    }

    @Test
    void quantizedAddNeedsQuantizationParameters() {
        refused(InvalidModelException.class, "has no quantization parameters", h -> {
            int a = h.input(DataType.UINT8, new int[] {4}, QuantParams.NONE, new byte[4]);
            int b = h.input(DataType.UINT8, new int[] {4}, Q, new byte[4]);
            h.output(DataType.UINT8, new int[] {4}, Q);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void addRefusesAnOutputScaleTFLiteCannotRepresent() {
        refused(InvalidModelException.class, "operator 0 (ADD): output rescale", h -> {
            int a = h.input(DataType.INT8, new int[] {4}, QuantParams.perTensor(1f, 0), new byte[4]);
            int b = h.input(DataType.INT8, new int[] {4}, QuantParams.perTensor(1f, 0), new byte[4]);
            h.output(DataType.INT8, new int[] {4}, QuantParams.perTensor(1e-7f, 0));
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void concatenationRefusesAnAxisOutOfRange() {
        refused(InvalidModelException.class, "axis 3 is out of range", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            h.output(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a}, new OpOptions.Concatenation(3, Activation.NONE));
        });
    }

    @Test
    void concatenationRefusesInt8InputsWithOtherParameters() {
        refused(InvalidModelException.class, "TFLite requires int8 inputs to share", h -> {
            int a = h.input(DataType.INT8, new int[] {2}, Q, new byte[2]);
            int b = h.input(DataType.INT8, new int[] {2}, QuantParams.perTensor(0.2f, 0), new byte[2]);
            h.output(DataType.INT8, new int[] {4}, Q);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a, b}, new OpOptions.Concatenation(0, Activation.NONE));
        });
    }

    @Test
    void concatenationWithFusedActivationIsUnsupported() {
        refused(UnsupportedModelException.class, "CONCATENATION with fused activation RELU", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            h.output(DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a}, new OpOptions.Concatenation(0, Activation.RELU));
        });
    }

    @Test
    void reshapeRefusesAnotherElementCount() {
        refused(InvalidModelException.class, "operator 0 (RESHAPE): new shape [3, 3]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 4}, QuantParams.NONE, new byte[32]);
            h.output(DataType.FLOAT32, new int[] {3, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.RESHAPE, new int[] {a}, new OpOptions.Reshape(new int[] {3, 3}));
        });
    }

    @Test
    void reshapeRefusesAnOutputOtherThanTheNewShape() {
        refused(InvalidModelException.class, "the op computes [4, 2]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 4}, QuantParams.NONE, new byte[32]);
            h.output(DataType.FLOAT32, new int[] {8}, QuantParams.NONE);
            h.op(BuiltinOperator.RESHAPE, new int[] {a}, new OpOptions.Reshape(new int[] {4, -1}));
        });
    }

    @Test
    void squeezeRefusesADimensionOtherThanOne() {
        refused(InvalidModelException.class, "squeeze dimension 1", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {1, 24, 1}, QuantParams.NONE, new byte[96]);
            h.output(DataType.FLOAT32, new int[] {1, 1}, QuantParams.NONE);
            h.op(BuiltinOperator.SQUEEZE, new int[] {a}, new OpOptions.Squeeze(new int[] {1}));
        });
    }

    @Test
    void padRefusesFloatPaddings() {
        refused(InvalidModelException.class, "expected INT32, INT64, INT16 or INT8", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            int p = h.constant(DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE, floats(1, 1));
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.PAD, new int[] {a, p}, new OpOptions.Pad());
        });
    }

    @Test
    void padV2RefusesAPadValueOfSeveralElements() {
        refused(InvalidModelException.class, "constant_values", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            int p = h.constant(DataType.INT32, new int[] {1, 2}, QuantParams.NONE, SingleOpHarness.int32s(1, 1));
            int v = h.constant(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, floats(1, 2));
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.PADV2, new int[] {a, p, v}, new OpOptions.PadV2());
        });
    }

    @Test
    void quantizeToInt32FromFloatIsUnsupported() {
        refused(UnsupportedModelException.class, "QUANTIZE from FLOAT32 to INT32", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            h.output(DataType.INT32, new int[] {2}, Q);
            h.op(BuiltinOperator.QUANTIZE, new int[] {a}, new OpOptions.Quantize());
        });
    }

    @Test
    void dequantizeRefusesAFloatOutputOfAnotherShape() {
        refused(InvalidModelException.class, "operator 0 (DEQUANTIZE)", h -> {
            int a = h.input(DataType.INT8, new int[] {2}, Q, new byte[2]);
            h.output(DataType.FLOAT32, new int[] {3}, QuantParams.NONE);
            h.op(BuiltinOperator.DEQUANTIZE, new int[] {a}, new OpOptions.Dequantize());
        });
    }
}
