package io.qbridge.converter;

import io.qbridge.DataType;

import java.util.Locale;

/** The quantization scheme of a conversion ({@code --inference-type}). */
public enum InferenceType {
    /** Legacy {@code QUANTIZED_UINT8}: per-tensor asymmetric uint8 weights and activations (TOCO). */
    UINT8,
    /** TFLite's current spec: per-channel symmetric int8 weights, asymmetric int8 activations. */
    INT8,
    /** int8 weights, float activations: the weights are dequantized when the model loads. */
    WEIGHTS_ONLY;

    /** The type of activations (and of uint8 weights); FLOAT32 for weights-only. */
    public DataType activationType() {
        switch (this) {
            case UINT8: return DataType.UINT8;
            case INT8: return DataType.INT8;
            default: return DataType.FLOAT32;
        }
    }

    public static InferenceType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown inference type '" + s + "': uint8, int8 or weights-only");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
