package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.quantize.AffineParams;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.List;

/**
 * Takes the ranges that quantization-aware training left in a float model and removes what only
 * carried them: FAKE_QUANT ops (their min/max/narrow_range become the exact parameters of the tensor
 * they quantize), and min/max recorded on float tensors other than the graph inputs. A FAKE_QUANT on
 * constant weights is applied
 * to the weights, so that the float model computes what was trained.
 */
public final class FakeQuantRemoval {
    private FakeQuantRemoval() {
    }

    /** @return number of FAKE_QUANT ops removed */
    public static int apply(EditableGraph e, RangeHints hints) {
        for (int t = 0; t < e.tensorCount(); t++) {
            TensorSpec spec = e.tensor(t);
            if (e.isGraphInput(t)) {
                // Not a trained range: float models carry their inputs' pixel range there (MobileNet's
                // 'input' says [0, 255] but takes [-1, 1]); inputs get mean/std or calibration.
                continue;
            }
            QuantParams q = spec.quant();
            if (spec.type() == DataType.FLOAT32 && !q.isQuantized() && q.min() != null && q.max() != null
                    && q.min().length == 1 && q.max().length == 1 && q.min()[0] <= q.max()[0]) {
                hints.recorded(t, new Range(q.min()[0], q.max()[0]));
            }
        }
        int removed = 0;
        for (EditableGraph.Op op : List.copyOf(e.ops())) {
            if (op.code != BuiltinOperator.FAKE_QUANT || !(op.options instanceof OpOptions.FakeQuant fq)) {
                continue;
            }
            int in = op.input(0);
            int out = op.output(0);
            TensorSpec input = e.tensor(in);
            if (input.isConstant() && input.type() == DataType.FLOAT32) {
                e.setTensor(in, DataType.FLOAT32, QuantParams.NONE, Constants.of(fakeQuantize(Constants.floats(input), fq)));
            }
            hints.fakeQuant(in, fq);
            if (e.isGraphOutput(out) && e.isGraphInput(in)) {
                continue;   // an identity model: keep the op so that the graph stays computable
            }
            if (e.isGraphOutput(out) && !input.isConstant()) {
                // The output keeps its name: the producer of the input writes it instead.
                EditableGraph.Op producer = e.producer(in);
                if (producer == null) {
                    continue;
                }
                e.ops().remove(op);
                e.replaceUses(in, out);
                for (int k = 0; k < producer.outputs.length; k++) {
                    if (producer.outputs[k] == in) {
                        producer.outputs[k] = out;
                    }
                }
                hints.fakeQuant(out, fq);
            } else {
                e.ops().remove(op);
                e.replaceUses(out, in);
            }
            removed++;
        }
        return removed;
    }

    /** TensorFlow's FakeQuantWithMinMaxVars on values: clamp to the nudged range, round to the grid. */
    static float[] fakeQuantize(float[] v, OpOptions.FakeQuant fq) {
        QuantParams p = AffineParams.fromFakeQuant(fq.min(), fq.max(), fq.narrowRange(), DataType.UINT8);
        int qmin = fq.narrowRange() ? 1 : 0;
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int q = io.qbridge.numerics.QuantMath.quantizeClamped(v[i], p.scale(), p.zeroPoint(), qmin, 255);
            r[i] = p.scale() * (q - p.zeroPoint());
        }
        return r;
    }
}
