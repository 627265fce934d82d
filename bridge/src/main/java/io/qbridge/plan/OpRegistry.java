package io.qbridge.plan;

import io.qbridge.plan.ops.ActivationOps;
import io.qbridge.plan.ops.Conv2DOps;
import io.qbridge.plan.ops.DepthwiseConv2DOps;
import io.qbridge.plan.ops.FullyConnectedOps;
import io.qbridge.plan.ops.PoolOps;
import io.qbridge.plan.ops.ReduceOps;
import io.qbridge.plan.ops.ElementwiseOps;
import io.qbridge.plan.ops.QuantizeOps;
import io.qbridge.plan.ops.ShapeOps;
import io.qbridge.plan.ops.FakeQuantOps;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.HashMap;
import java.util.Map;

/** The ops qbridge can plan, by TFLite builtin code. */
public final class OpRegistry {
    private static final Map<Integer, OpPreparer> PREPARERS = new HashMap<>();

    static {
        PREPARERS.put(BuiltinOperator.CONV_2D, Conv2DOps::prepareConv2D);
        PREPARERS.put(BuiltinOperator.DEPTHWISE_CONV_2D, DepthwiseConv2DOps::prepareDepthwiseConv2D);
        PREPARERS.put(BuiltinOperator.FULLY_CONNECTED, FullyConnectedOps::prepareFullyConnected);
        PREPARERS.put(BuiltinOperator.AVERAGE_POOL_2D, PoolOps::prepareAveragePool2D);
        PREPARERS.put(BuiltinOperator.MAX_POOL_2D, PoolOps::prepareMaxPool2D);
        PREPARERS.put(BuiltinOperator.MEAN, ReduceOps::prepareMean);
        PREPARERS.put(BuiltinOperator.SOFTMAX, ActivationOps::prepareSoftmax);
        PREPARERS.put(BuiltinOperator.LOGISTIC, ActivationOps::prepareLogistic);
        PREPARERS.put(BuiltinOperator.TANH, ActivationOps::prepareTanh);
        PREPARERS.put(BuiltinOperator.RELU, ActivationOps::prepareRelu);
        PREPARERS.put(BuiltinOperator.RELU6, ActivationOps::prepareRelu6);
        PREPARERS.put(BuiltinOperator.ADD, ElementwiseOps::prepareAdd);
        PREPARERS.put(BuiltinOperator.MUL, ElementwiseOps::prepareMul);
        PREPARERS.put(BuiltinOperator.CONCATENATION, ShapeOps::prepareConcatenation);
        PREPARERS.put(BuiltinOperator.RESHAPE, ShapeOps::prepareReshape);
        PREPARERS.put(BuiltinOperator.SQUEEZE, ShapeOps::prepareSqueeze);
        PREPARERS.put(BuiltinOperator.PAD, ShapeOps::preparePad);
        PREPARERS.put(BuiltinOperator.PADV2, ShapeOps::preparePad);
        PREPARERS.put(BuiltinOperator.QUANTIZE, QuantizeOps::prepareQuantize);
        PREPARERS.put(BuiltinOperator.DEQUANTIZE, QuantizeOps::prepareDequantize);
        PREPARERS.put(BuiltinOperator.FAKE_QUANT, FakeQuantOps::prepareFakeQuant);
    }

    private OpRegistry() {
    }

    /** The preparer of a builtin op, or null when qbridge does not run it. */
    public static OpPreparer preparer(int builtinCode) {
        return PREPARERS.get(builtinCode);
    }

    public static boolean isSupported(int builtinCode) {
        return PREPARERS.containsKey(builtinCode);
    }
}
