package io.qbridge.plan;

import io.qbridge.plan.ops.ConvOps;
import io.qbridge.plan.ops.FakeQuantOps;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.HashMap;
import java.util.Map;

/** The ops qbridge can plan, by TFLite builtin code. */
public final class OpRegistry {
    private static final Map<Integer, OpPreparer> PREPARERS = new HashMap<>();

    static {
        PREPARERS.put(BuiltinOperator.CONV_2D, ConvOps::prepareConv2D);
        PREPARERS.put(BuiltinOperator.DEPTHWISE_CONV_2D, ConvOps::prepareDepthwiseConv2D);
        PREPARERS.put(BuiltinOperator.FULLY_CONNECTED, ConvOps::prepareFullyConnected);
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
