package io.qbridge;

/** Element types of tensors, numbered as TensorFlow Lite's {@code TensorType}. */
public enum DataType {
    FLOAT32(0, 4),
    FLOAT16(1, 2),
    INT32(2, 4),
    UINT8(3, 1),
    INT64(4, 8),
    STRING(5, -1),
    BOOL(6, 1),
    INT16(7, 2),
    COMPLEX64(8, 8),
    INT8(9, 1),
    FLOAT64(10, 8),
    COMPLEX128(11, 16),
    UINT64(12, 8),
    RESOURCE(13, -1),
    VARIANT(14, -1),
    UINT32(15, 4),
    UINT16(16, 2),
    INT4(17, -1);

    private static final DataType[] BY_CODE = values();

    private final int tfliteCode;
    private final int byteSize;

    DataType(int tfliteCode, int byteSize) {
        this.tfliteCode = tfliteCode;
        this.byteSize = byteSize;
    }

    /** The {@code TensorType} value in a .tflite file. */
    public int tfliteCode() {
        return tfliteCode;
    }

    /** Bytes per element, or -1 for types without a fixed element size (STRING, INT4, ...). */
    public int byteSize() {
        return byteSize;
    }

    /** True for UINT8, INT8 and INT16: the types that carry quantization parameters. */
    public boolean isQuantizedInteger() {
        return this == UINT8 || this == INT8 || this == INT16;
    }

    /** Smallest value of an integer type (as used for clamping quantized values). */
    public int minValue() {
        switch (this) {
            case UINT8: return 0;
            case INT8: return Byte.MIN_VALUE;
            case INT16: return Short.MIN_VALUE;
            case INT32: return Integer.MIN_VALUE;
            default: throw new IllegalStateException(this + " has no integer range");
        }
    }

    /** Largest value of an integer type. */
    public int maxValue() {
        switch (this) {
            case UINT8: return 255;
            case INT8: return Byte.MAX_VALUE;
            case INT16: return Short.MAX_VALUE;
            case INT32: return Integer.MAX_VALUE;
            default: throw new IllegalStateException(this + " has no integer range");
        }
    }

    /** The type with the given {@code TensorType} code, or null if the code is unknown. */
    public static DataType fromTfliteCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
