package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/**
 * FAKE_QUANT (float32 only, as TFLite's kernels/fake_quant.cc): rounds values to the 2^num_bits
 * levels of [min, max] and back to float, the range first nudged so that 0 is a level
 * (quantization_util.cc NudgeQuantizationRange, quant_min 0, quant_max 2^num_bits - 1). Quantization-
 * aware trained float models carry it; the converter removes it and keeps its range.
 */
public final class FakeQuantOps {
    private FakeQuantOps() {
    }

    /** Elementwise over {@code count} floats with the nudged range and its step. */
    public record FakeQuantParams(int count, float nudgedMin, float nudgedMax, float nudgedScale) implements OpParams {
    }

    public static OpParams prepareFakeQuant(PrepareContext ctx) {
        ctx.requireArity(1, 1, 1);
        OpOptions.FakeQuant o = ctx.options(OpOptions.FakeQuant.class, null);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        if (input.type() != DataType.FLOAT32) {
            throw ctx.unsupported("with " + input.type() + " input: FAKE_QUANT runs on float32 only");
        }
        ctx.requireType(output, DataType.FLOAT32, "output");
        ctx.requireShape(output, input.shape(), "output");
        if (o.narrowRange()) {
            // TFLite refuses it as well: narrow range is meant for weights, which the converter folds.
            throw ctx.unsupported("with narrow_range at run time");
        }
        if (o.numBits() < 2 || o.numBits() > 16) {
            throw ctx.invalid("num_bits is " + o.numBits() + ", expected 2 to 16");
        }
        float min = o.min();
        float max = o.max();
        if (!(min <= 0f) || !(max >= 0f) || !(min < max) || Float.isInfinite(min) || Float.isInfinite(max)) {
            throw ctx.invalid("range [" + min + ", " + max + "] must be finite, contain 0 and not be empty");
        }
        float quantMax = (1 << o.numBits()) - 1;
        float scale = (max - min) / quantMax;
        float zeroFromMin = -min / scale;
        float zero = zeroFromMin < 0f ? 0f : zeroFromMin > quantMax ? quantMax : roundHalfAway(zeroFromMin);
        return new FakeQuantParams((int) input.elementCount(), -zero * scale, (quantMax - zero) * scale, scale);
    }

    /** std::round for the values here (non-negative). */
    static float roundHalfAway(float v) {
        return (float) Math.floor(v + 0.5);
    }
}
