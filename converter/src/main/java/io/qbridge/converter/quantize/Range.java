package io.qbridge.converter.quantize;

/** A float interval [min, max] that a tensor's quantization must cover. */
public record Range(float min, float max) {
    public Range {
        if (!(min <= max) || Float.isNaN(min) || Float.isNaN(max)) {
            throw new IllegalArgumentException("not a range: [" + min + ", " + max + "]");
        }
    }

    public Range union(Range other) {
        return other == null ? this : new Range(Math.min(min, other.min), Math.max(max, other.max));
    }

    /** The range widened to contain 0, so that real zero is exactly representable (padding, ReLU). */
    public Range withZero() {
        return new Range(Math.min(min, 0f), Math.max(max, 0f));
    }

    public float width() {
        return max - min;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
