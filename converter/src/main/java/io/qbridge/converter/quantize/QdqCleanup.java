package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.List;

/**
 * Removes a DEQUANTIZE followed by a QUANTIZE: a round trip through float between two quantized
 * tensors. With equal parameters the pair goes away; otherwise one QUANTIZE requantizes directly.
 */
public final class QdqCleanup {
    private QdqCleanup() {
    }

    /** @return number of pairs removed */
    public static int removeDequantizeQuantizePairs(EditableGraph e) {
        int removed = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (EditableGraph.Op dq : List.copyOf(e.ops())) {
                if (dq.code != BuiltinOperator.DEQUANTIZE || !e.ops().contains(dq)) {
                    continue;
                }
                int source = dq.input(0);
                int mid = dq.output(0);
                if (e.tensor(source).type() == DataType.FLOAT16 || e.isGraphOutput(mid)) {
                    continue;
                }
                for (EditableGraph.Op q : e.consumers(mid)) {
                    if (q.code != BuiltinOperator.QUANTIZE) {
                        continue;
                    }
                    int target = q.output(0);
                    QuantParams ps = e.tensor(source).quant();
                    QuantParams pt = e.tensor(target).quant();
                    if (e.tensor(source).type() == e.tensor(target).type() && ps.equals(pt) && !e.isGraphOutput(target)) {
                        e.replaceUses(target, source);
                        e.ops().remove(q);
                    } else {
                        q.inputs = new int[] {source};
                        q.options = new OpOptions.Quantize();
                        q.version = Math.max(q.version, 2);
                    }
                    removed++;
                    changed = true;
                }
                if (e.consumers(mid).isEmpty() && !e.isGraphOutput(mid)) {
                    e.ops().remove(dq);
                }
            }
        }
        return removed;
    }
}
