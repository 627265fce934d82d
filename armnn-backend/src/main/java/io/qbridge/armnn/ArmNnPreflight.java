package io.qbridge.armnn;

import io.qbridge.DataType;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * Models that Java's validator accepts but that make Arm NN 20.08 crash the process (not throw):
 * refused here, before Arm NN sees them. A C++ exception is caught by the façade; heap corruption
 * or an abort inside Arm NN cannot be, so each pattern found is listed here with its symptom.
 */
final class ArmNnPreflight {
    private ArmNnPreflight() {
    }

    /** One line per operator Arm NN 20.08 must not be given; empty when the model may go to it. */
    static List<String> crashingOperators(Graph graph) {
        List<String> problems = new ArrayList<>();
        for (Operator op : graph.operators()) {
            // TfLiteParser::ParseMean copies the axis buffer by the axis tensor's shape; a rank-0
            // (scalar) axis corrupts the heap ("realloc(): invalid next size", SIGABRT), seen with
            // ../shared/models/single-op-float/single_mean.tflite.
            if (op.builtinCode() == BuiltinOperator.MEAN && op.inputCount() > 1 && op.input(1) >= 0) {
                TensorSpec axis = graph.tensor(op.input(1));
                if (axis.rank() == 0) {
                    problems.add("MEAN (operator " + op.index() + ") with a scalar axis tensor '" + axis.name()
                            + "': Arm NN 20.08 corrupts its heap on it, so it is not handed to Arm NN");
                }
            }
            // Arm NN 20.08 takes MEAN's axes as unsigned: a negative axis (-1) becomes 4294967295 and
            // every inference throws "Invalid dimension index" (MeanTest).
            if (op.builtinCode() == BuiltinOperator.MEAN && op.inputCount() > 1 && op.input(1) >= 0) {
                TensorSpec axis = graph.tensor(op.input(1));
                if (axis.isConstant() && axis.type() == DataType.INT32) {
                    java.nio.ByteBuffer b = axis.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int i = b.position(); i + 4 <= b.limit(); i += 4) {
                        if (b.getInt(i) < 0) {
                            problems.add("MEAN (operator " + op.index() + ") with a negative axis in '" + axis.name()
                                    + "': Arm NN 20.08 reads it as a huge unsigned index, so it is not handed to Arm NN");
                            break;
                        }
                    }
                }
            }
            // Arm NN 20.08's PAD is not trusted with any model: on int8 it pads with 0 instead of the
            // zero point or aborts (lite pad_test.cc PadOpTest.Int8PaddingSimpleConstTest, SIGABRT),
            // and it misplaced float values in ShapeTest (e.g. seed cases 4, 10).
            if (op.builtinCode() == BuiltinOperator.PAD) {
                problems.add("PAD (operator " + op.index() + "): Arm NN 20.08 pads int8 tensors wrongly or aborts,"
                        + " and misplaced float values in qbridge's tests, so it is not handed to Arm NN");
            }
            // Arm NN 20.08's parser types per-channel int8 weights QSymmS8; CpuRef's FULLY_CONNECTED
            // support check then asks GetBiasTypeFromWeightsType for it, which has no QSymmS8 case and
            // asserts ("Unsupported data type.", SIGABRT): seen with ConvTest's int8 FC.
            if (op.builtinCode() == BuiltinOperator.FULLY_CONNECTED && op.inputCount() > 1 && op.input(1) >= 0) {
                TensorSpec weights = graph.tensor(op.input(1));
                if (weights.type() == DataType.INT8 && weights.quant() != null && weights.quant().zeroPoints().length > 1) {
                    problems.add("FULLY_CONNECTED (operator " + op.index() + ") with per-channel int8 weights '"
                            + weights.name() + "': Arm NN 20.08 aborts on them (no bias type for QSymmS8 weights),"
                            + " so it is not handed to Arm NN");
                }
            }
            // Arm NN 20.08 knows per-channel (per-axis) quantization on convolution weights and biases
            // only; anywhere else (e.g. QUANTIZE/DEQUANTIZE of per-channel tensors) its workloads ask
            // for the one scale and assert ("!HasMultipleQuantizationScales()", SIGABRT): seen with
            // QuantizePeerVectors (QuantizeTest).
            boolean convolution = op.builtinCode() == BuiltinOperator.CONV_2D
                    || op.builtinCode() == BuiltinOperator.DEPTHWISE_CONV_2D;
            for (int k = 0; k < op.inputCount() + op.outputCount(); k++) {
                boolean isInput = k < op.inputCount();
                int t = isInput ? op.input(k) : op.output(k - op.inputCount());
                if (t < 0 || (convolution && isInput && (k == 1 || k == 2))
                        || (op.builtinCode() == BuiltinOperator.FULLY_CONNECTED && k == 1)) {   // said above
                    continue;
                }
                TensorSpec tensor = graph.tensor(t);
                if (tensor.quant() != null && tensor.quant().scales().length > 1) {
                    problems.add(op.opName() + " (operator " + op.index() + ") with per-channel quantized tensor '"
                            + tensor.name() + "': Arm NN 20.08 aborts on per-channel quantization outside"
                            + " convolution weights, so it is not handed to Arm NN");
                    break;
                }
            }
        }
        return problems;
    }
}
