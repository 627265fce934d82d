package io.qbridge.graph;

/** Fused activation functions, numbered as TFLite's {@code ActivationFunctionType}. */
public enum Activation {
    NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT;

    private static final Activation[] BY_CODE = values();

    /** The activation with the given code, or null if the code is unknown. */
    public static Activation fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    public int code() {
        return ordinal();
    }
}
