package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.Float16;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds DEQUANTIZE ops whose input is a constant (int8/uint8 weights of weights-only models,
 * float16 weights) into float constants when a model is planned: the model then runs at float speed
 * and its kernels see constant weights. Tensor indices are unchanged; the op disappears.
 */
public final class ConstantDequantizeFolding {
    private ConstantDequantizeFolding() {
    }

    /** The graph with constant DEQUANTIZE ops folded, or the same graph when there are none. */
    public static Graph fold(Graph graph) {
        List<TensorSpec> tensors = null;
        List<Operator> kept = new ArrayList<>();
        for (Operator op : graph.operators()) {
            if (isFoldable(graph, op)) {
                if (tensors == null) {
                    tensors = new ArrayList<>(graph.tensors());
                }
                TensorSpec out = graph.tensor(op.output(0));
                ByteBuffer data = dequantize(graph.tensor(op.input(0)));
                tensors.set(out.index(), new TensorSpec(out.index(), out.name(), DataType.FLOAT32, out.shape(),
                        QuantParams.NONE, data, false));
            } else {
                kept.add(op);
            }
        }
        if (tensors == null) {
            return graph;
        }
        List<Operator> renumbered = new ArrayList<>();
        for (Operator op : kept) {
            renumbered.add(op.with(renumbered.size(), op.inputs(), op.outputs(), op.options()));
        }
        return new Graph(tensors, renumbered, graph.inputs(), graph.outputs(), graph.description(), graph.metadata());
    }

    private static boolean isFoldable(Graph g, Operator op) {
        if (op.builtinCode() != BuiltinOperator.DEQUANTIZE || op.inputCount() != 1 || op.outputCount() != 1
                || op.input(0) < 0) {
            return false;
        }
        TensorSpec in = g.tensor(op.input(0));
        TensorSpec out = g.tensor(op.output(0));
        if (!in.isConstant() || out.type() != DataType.FLOAT32 || in.elementCount() != out.elementCount()
                || in.data().remaining() < in.byteSize()) {
            return false;
        }
        for (int o : g.outputs()) {
            if (o == out.index()) {
                return false;   // a graph output must stay a computed tensor
            }
        }
        if (in.type() == DataType.FLOAT16) {
            return true;
        }
        QuantParams q = in.quant();
        if ((in.type() != DataType.INT8 && in.type() != DataType.UINT8) || !q.isQuantized()) {
            return false;
        }
        return !q.isPerChannel() || (q.axis() >= 0 && q.axis() < in.rank() && in.dim(q.axis()) == q.channelCount());
    }

    private static ByteBuffer dequantize(TensorSpec in) {
        int n = (int) in.elementCount();
        ByteBuffer src = in.data();
        ByteBuffer dst = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        if (in.type() == DataType.FLOAT16) {
            for (int i = 0; i < n; i++) {
                dst.putFloat(i * 4, Float16.toFloat(src.getShort(i * 2)));
            }
            return dst;
        }
        QuantParams q = in.quant();
        int inner = 1;
        if (q.isPerChannel()) {
            for (int d = q.axis() + 1; d < in.rank(); d++) {
                inner *= in.dim(d);
            }
        }
        int channels = q.channelCount();
        boolean unsigned = in.type() == DataType.UINT8;
        for (int i = 0; i < n; i++) {
            int c = q.isPerChannel() ? (i / inner) % channels : 0;
            int v = unsigned ? src.get(i) & 0xFF : src.get(i);
            dst.putFloat(i * 4, q.scale(c) * (v - q.zeroPoint(c)));
        }
        return dst;
    }
}
