package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.FakeQuantOps.FakeQuantParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * FAKE_QUANT on float32, as TFLite's FakeQuantizeArray (quantization_util.cc): clamp to the
 * nudged range, shift by its minimum, multiply by the inverse step, round half away from zero,
 * scale back. Elementwise, so any split over threads gives the same values.
 */
final class FakeQuantKernels {
    private FakeQuantKernels() {
    }

    static JavaKernel fakeQuant(PlannedOp op, KernelContext ctx) {
        FakeQuantParams p = (FakeQuantParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        float min = p.nudgedMin();
        float max = p.nudgedMax();
        float scale = p.nudgedScale();
        float inverse = 1.0f / scale;
        return () -> par.forRange(p.count(), 16_384, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float v = (float) FLOATS.get(arena, in + i * 4);
                float shifted = Math.min(max, Math.max(min, v)) - min;
                float level = (float) Math.floor(shifted * inverse + 0.5);   // shifted >= 0: half away from zero
                FLOATS.set(arena, out + i * 4, level * scale + min);
            }
        });
    }
}
