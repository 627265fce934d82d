package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.backend.javaref.kernels.KernelTables;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.Plan;
import io.qbridge.plan.PlannedOp;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.GemmlowpFixedPoint;
import io.qbridge.plan.ops.ActivationOps;
import io.qbridge.plan.ops.ConvOps;
import io.qbridge.plan.ops.ElementwiseOps;
import io.qbridge.plan.ops.PoolOps;
import io.qbridge.plan.ops.QuantizeOps;
import io.qbridge.plan.ops.ReduceOps;
import io.qbridge.plan.ops.ShapeOps;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serializes a {@link Plan} for the native executor: the prepared parameters of every op
 * (shapes, arena offsets, zero points, per-channel multipliers and shifts, activation clamps)
 * and its constant data, as little-endian int32 words (layout in {@code native/src/program.h}).
 * The native side packs the weights for the kernels of the CPU it runs on. Ops or types the
 * native executor lacks are all reported at once as an {@link UnsupportedModelException}.
 */
public final class PlanEncoder {
    static final int MAGIC = 0x31504251;   // "QBP1"
    static final int VERSION = 2;
    static final int OP_CONV_2D = 1;
    static final int OP_FULLY_CONNECTED = 2;
    static final int OP_POOL = 3;
    static final int OP_COPY = 4;
    static final int OP_SOFTMAX = 5;
    static final int OP_ADD = 6;
    static final int OP_MUL = 7;
    static final int OP_MEAN = 8;
    static final int OP_LOOKUP = 9;
    static final int OP_PAD = 10;
    static final int OP_CONCATENATION = 11;
    static final int OP_QUANTIZE = 12;
    static final int OP_DEQUANTIZE = 13;
    static final int OP_DEPTHWISE_CONV_2D = 14;
    /** The native PAD's largest rank once unpadded trailing dimensions are merged. */
    private static final int PAD_MAX_RANK = 8;
    /** MEAN's per-output and per-reduced-element offsets travel in the program: keep them bounded. */
    private static final int MEAN_MAX_OFFSETS = 1 << 20;
    static final int TYPE_UINT8 = 1;
    static final int TYPE_INT8 = 2;

    /** Writes one op's record body; returns null when done, else why the op cannot run natively. */
    @FunctionalInterface
    interface OpEncoder {
        String encode(PlannedOp op, Plan plan, Words out);
    }

    private static final Map<Class<? extends OpParams>, OpEncoder> ENCODERS = new HashMap<>();

    static {
        ENCODERS.put(ConvOps.ConvParams.class, PlanEncoder::conv);
        ENCODERS.put(ConvOps.FullyConnectedParams.class, PlanEncoder::fullyConnected);
        ENCODERS.put(PoolOps.Pool2DParams.class, PlanEncoder::pool);
        ENCODERS.put(ShapeOps.ReshapeParams.class, PlanEncoder::reshape);
        ENCODERS.put(ActivationOps.SoftmaxParams.class, PlanEncoder::softmax);
        ENCODERS.put(ElementwiseOps.AddParams.class, PlanEncoder::add);
        ENCODERS.put(ElementwiseOps.MulParams.class, PlanEncoder::mul);
        ENCODERS.put(ReduceOps.MeanParams.class, PlanEncoder::mean);
        ENCODERS.put(QuantizeOps.RequantizeParams.class, PlanEncoder::requantize);
        ENCODERS.put(ActivationOps.ReluParams.class, PlanEncoder::relu);
        ENCODERS.put(ActivationOps.LogisticTanhParams.class, PlanEncoder::logisticTanh);
        ENCODERS.put(ShapeOps.PadParams.class, PlanEncoder::pad);
        ENCODERS.put(ShapeOps.ConcatenationParams.class, PlanEncoder::concatenation);
        ENCODERS.put(QuantizeOps.QuantizeParams.class, PlanEncoder::quantize);
        ENCODERS.put(QuantizeOps.DequantizeParams.class, PlanEncoder::dequantize);
    }

    private PlanEncoder() {
    }

    /** The program as a direct little-endian buffer. */
    public static ByteBuffer encode(Plan plan) {
        Words w = new Words();
        w.add(MAGIC).add(VERSION).add(plan.ops().size());
        Map<String, List<Integer>> problems = new LinkedHashMap<>();
        for (PlannedOp op : plan.ops()) {
            OpEncoder encoder = ENCODERS.get(op.params().getClass());
            String why;
            if (encoder == null) {
                why = op.op().opName() + " is not implemented natively";
            } else {
                int start = w.size();
                why = encoder.encode(op, plan, w);
                if (why == null) {
                    w.set(start + 1, w.size() - start);   // record length in words
                }
            }
            if (why != null) {
                problems.computeIfAbsent(why, k -> new ArrayList<>()).add(op.op().index());
            }
        }
        if (!problems.isEmpty()) {
            List<String> list = new ArrayList<>();
            problems.forEach((what, where) -> list.add(what + " (operator" + (where.size() > 1 ? "s " : " ")
                    + String.join(", ", where.stream().map(String::valueOf).toList()) + ")"));
            throw new UnsupportedModelException("neon", list);
        }
        return w.toBuffer();
    }

    /** CONV_2D and DEPTHWISE_CONV_2D, each its own record. */
    private static String conv(PlannedOp op, Plan plan, Words w) {
        ConvOps.ConvParams p = (ConvOps.ConvParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.add(p.depthwise() ? OP_DEPTHWISE_CONV_2D : OP_CONV_2D).add(0).add(type).add(p.batches()).add(p.inH())
                .add(p.inW()).add(p.inC()).add(p.outH()).add(p.outW()).add(p.outC()).add(p.filterH()).add(p.filterW());
        if (p.depthwise()) {
            w.add(p.depthMultiplier());
        }
        w.add(p.strideH()).add(p.strideW()).add(p.dilationH()).add(p.dilationW()).add(p.padTop()).add(p.padLeft())
                .add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        requant(w, p.requant(), p.outC(), p.bias());
        w.bytes(p.filter());
        return null;
    }

    private static String fullyConnected(PlannedOp op, Plan plan, Words w) {
        ConvOps.FullyConnectedParams p = (ConvOps.FullyConnectedParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.add(OP_FULLY_CONNECTED).add(0).add(type).add(p.batches()).add(p.inDepth()).add(p.outDepth())
                .add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        requant(w, p.requant(), p.outDepth(), p.bias());
        w.bytes(p.filter());
        return null;
    }

    private static String pool(PlannedOp op, Plan plan, Words w) {
        PoolOps.Pool2DParams p = (PoolOps.Pool2DParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.add(OP_POOL).add(0).add(type).add(p.average() ? 1 : 0).add(p.batches()).add(p.inH()).add(p.inW())
                .add(p.channels()).add(p.outH()).add(p.outW()).add(p.filterH()).add(p.filterW()).add(p.strideH())
                .add(p.strideW()).add(p.padTop()).add(p.padLeft()).add(p.actMin()).add(p.actMax())
                .add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /** RESHAPE and SQUEEZE: a byte copy, or nothing where the planner placed both together. */
    private static String reshape(PlannedOp op, Plan plan, Words w) {
        ShapeOps.ReshapeParams p = (ShapeOps.ReshapeParams) op.params();
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.add(OP_COPY).add(0).add(p.byteCount()).add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /**
     * SOFTMAX: the exponential of every possible difference to the row maximum (0..-255) comes
     * from the Java reference's own table (and its sum term, rescaled as the reference sums it); native code sums,
     * takes the reciprocal and scales exactly as the reference does.
     */
    private static String softmax(PlannedOp op, Plan plan, Words w) {
        ActivationOps.SoftmaxParams p = (ActivationOps.SoftmaxParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        int[] exps = KernelTables.softmaxExp(p);
        int[] rescaled = new int[256];
        for (int i = 0; i < 256; i++) {
            rescaled[i] = GemmlowpFixedPoint.rescale(exps[i], 0, 12);
        }
        w.add(OP_SOFTMAX).add(0).add(type).add(p.outer()).add(p.depth()).add(p.diffMin()).addAll(exps).addAll(rescaled)
                .add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /** ADD: each input byte's rescaled value is tabulated with the reference's arithmetic. */
    private static String add(PlannedOp op, Plan plan, Words w) {
        ElementwiseOps.AddParams p = (ElementwiseOps.AddParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.add(OP_ADD).add(0).add(type);
        broadcast(w, p.broadcast(), plan, op);
        w.addAll(KernelTables.addInput(p, 0));
        w.addAll(KernelTables.addInput(p, 1));
        w.add(p.input1Offset()).add(p.input2Offset()).add(p.leftShift()).add(p.input1Multiplier())
                .add(p.input1Shift()).add(p.input2Multiplier()).add(p.input2Shift());
        w.add(p.outputMultiplier()).add(p.outputShift()).add(p.outputOffset()).add(p.actMin()).add(p.actMax());
        return null;
    }

    private static String mul(PlannedOp op, Plan plan, Words w) {
        ElementwiseOps.MulParams p = (ElementwiseOps.MulParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.add(OP_MUL).add(0).add(type);
        broadcast(w, p.broadcast(), plan, op);
        w.add(p.input1Offset()).add(p.input2Offset());
        w.add(p.outputMultiplier()).add(p.outputShift()).add(p.outputOffset()).add(p.actMin()).add(p.actMax());
        return null;
    }

    /**
     * MEAN: output o sums the input at {@code first[o] + reduced[r]} for every r, the element
     * offsets of the kept and of the reduced dimensions in row-major order.
     */
    private static String mean(PlannedOp op, Plan plan, Words w) {
        ReduceOps.MeanParams p = (ReduceOps.MeanParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        if ((long) p.outputCount() + p.reducedCount() > MEAN_MAX_OFFSETS) {
            return op.op().opName() + " over more than " + MEAN_MAX_OFFSETS + " elements";
        }
        int[] first = elementOffsets(p.dims(), p.reduced(), false);
        int[] reduced = elementOffsets(p.dims(), p.reduced(), true);
        if (first.length != p.outputCount() || (p.reducedCount() > 0 && reduced.length != p.reducedCount())) {
            return op.op().opName() + " with an unexpected reduction geometry";
        }
        int zeroPointTimesCount = (int) ((long) p.inputZeroPoint() * p.reducedCount());   // int32 wrap, as the reference
        long inputBytes = plan.graph().tensor(op.input(0)).byteSize();
        w.add(OP_MEAN).add(0).add(type).add(p.outputCount()).add(p.reducedCount()).add(zeroPointTimesCount)
                .add(p.multiplier()).add(p.shift()).add(p.outputZeroPoint()).add(arenaOffset(plan, op.input(0)))
                .add(arenaOffset(plan, op.output(0))).add((int) inputBytes).addAll(first)
                .addAll(p.reducedCount() == 0 ? new int[0] : reduced);
        return null;
    }

    /** Row-major element offsets of every combination of the kept (or the reduced) dimensions. */
    static int[] elementOffsets(int[] dims, boolean[] reducedDims, boolean ofReduced) {
        int n = dims.length;
        long[] strides = new long[n];
        long stride = 1;
        for (int d = n - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= dims[d];
        }
        int count = 1;
        for (int d = 0; d < n; d++) {
            if (reducedDims[d] == ofReduced) {
                count *= dims[d];
            }
        }
        int[] offsets = new int[count];
        int[] index = new int[n];
        for (int i = 0; i < count; i++) {
            long off = 0;
            for (int d = 0; d < n; d++) {
                off += index[d] * strides[d];
            }
            offsets[i] = (int) off;
            for (int d = n - 1; d >= 0; d--) {   // next combination, last selected dimension fastest
                if (reducedDims[d] != ofReduced) {
                    continue;
                }
                if (++index[d] < dims[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return offsets;
    }

    /** QUANTIZE between uint8 and int8: a table of the reference's result for each input byte. */
    private static String requantize(PlannedOp op, Plan plan, Words w) {
        QuantizeOps.RequantizeParams p = (QuantizeOps.RequantizeParams) op.params();
        if (p.inputType().byteSize() != 1 || p.outputType().byteSize() != 1) {
            return op.op().opName() + " from " + p.inputType() + " to " + p.outputType();
        }
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        int[] table = new int[256];
        int qmin = p.outputType().minValue();
        int qmax = p.outputType().maxValue();
        for (int u = 0; u < 256; u++) {
            int q = (p.inputType() == DataType.UINT8 ? u : (byte) u) - p.inputZeroPoint();
            int r = FixedPoint.multiplyByQuantizedMultiplier(q, p.multiplier(), p.shift()) + p.outputZeroPoint();
            table[u] = Math.max(qmin, Math.min(qmax, r)) & 0xFF;
        }
        w.add(OP_LOOKUP).add(0).add(p.elementCount()).add(arenaOffset(plan, op.input(0)))
                .add(arenaOffset(plan, op.output(0))).addAll(table);
        return null;
    }

    /** Quantized RELU/RELU6: the Java reference's table of ReluX for every input byte. */
    private static String relu(PlannedOp op, Plan plan, Words w) {
        ActivationOps.ReluParams p = (ActivationOps.ReluParams) op.params();
        if (quantizedType(p.type()) == null) {
            return op.op().opName() + " on " + p.type();
        }
        return lookup(op, plan, w, p.size(), KernelTables.relu(p));
    }

    /** Quantized LOGISTIC/TANH: the Java reference's gemmlowp result for every input byte. */
    private static String logisticTanh(PlannedOp op, Plan plan, Words w) {
        ActivationOps.LogisticTanhParams p = (ActivationOps.LogisticTanhParams) op.params();
        if (quantizedType(p.type()) == null) {
            return op.op().opName() + " on " + p.type();
        }
        return lookup(op, plan, w, p.size(), KernelTables.logisticTanh(p));
    }

    /**
     * PAD/PADV2 of any element type (a byte copy): shapes with the unpadded trailing dimensions
     * merged into the one before them, as the Java kernel does, and the pad value's bytes.
     */
    private static String pad(PlannedOp op, Plan plan, Words w) {
        ShapeOps.PadParams p = (ShapeOps.PadParams) op.params();
        if (p.padValue() == null) {
            return op.op().opName() + " with a pad value computed at run time";
        }
        int[] in = p.inputShape().clone();
        int[] out = p.outputShape().clone();
        int[] before = p.padBefore().clone();
        int rank = out.length;
        while (rank >= 2 && in[rank - 1] == out[rank - 1]) {
            rank--;
            in[rank - 1] *= in[rank];
            out[rank - 1] *= out[rank];
            before[rank - 1] *= in[rank];
        }
        if (rank == 0) {   // a scalar: the native op sees one element, unpadded
            in = new int[] {1};
            out = new int[] {1};
            before = new int[] {0};
            rank = 1;
        }
        if (rank > PAD_MAX_RANK) {
            return op.op().opName() + " over more than " + PAD_MAX_RANK + " padded dimensions";
        }
        w.add(OP_PAD).add(0).add(p.type().byteSize()).add(rank).addAll(Arrays.copyOf(in, rank))
                .addAll(Arrays.copyOf(out, rank)).addAll(Arrays.copyOf(before, rank));
        w.add(p.padValue().length);
        for (byte b : p.padValue()) {
            w.add(b & 0xFF);
        }
        operand(w, plan, op.input(0));
        w.add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /**
     * CONCATENATION as rows: per input its row bytes, its data, and the Java reference's
     * requantization table when its quantization differs from the output's.
     */
    private static String concatenation(PlannedOp op, Plan plan, Words w) {
        ShapeOps.ConcatenationParams p = (ShapeOps.ConcatenationParams) op.params();
        int n = p.inputRowElements().length;
        int es = p.type().byteSize();
        w.add(OP_CONCATENATION).add(0).add(p.outerCount()).add(n);
        for (int i = 0; i < n; i++) {
            byte[] table = KernelTables.concatenation(p, i);
            if (table != null && es != 1) {
                return op.op().opName() + " requantizing " + p.type();
            }
            w.add(p.inputRowElements()[i] * es);
            operand(w, plan, op.input(i));
            w.add(table == null ? 0 : 1);
            if (table != null) {
                for (byte b : table) {
                    w.add(b & 0xFF);
                }
            }
        }
        w.add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /** QUANTIZE float32 to uint8/int8, per tensor or per channel. */
    private static String quantize(PlannedOp op, Plan plan, Words w) {
        QuantizeOps.QuantizeParams p = (QuantizeOps.QuantizeParams) op.params();
        Integer type = quantizedType(p.outputType());
        if (type == null) {
            return op.op().opName() + " to " + p.outputType();
        }
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.add(OP_QUANTIZE).add(0).add(type).add(p.elementCount());
        channels(w, p.channels());
        w.add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /** DEQUANTIZE uint8/int8 to float32, per tensor or per channel. */
    private static String dequantize(PlannedOp op, Plan plan, Words w) {
        QuantizeOps.DequantizeParams p = (QuantizeOps.DequantizeParams) op.params();
        Integer type = quantizedType(p.inputType());
        if (type == null || p.channels() == null) {
            return op.op().opName() + " from " + p.inputType();
        }
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.add(OP_DEQUANTIZE).add(0).add(type).add(p.elementCount());
        channels(w, p.channels());
        w.add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        return null;
    }

    /** Channel count, elements per channel run, scales (float bits), zero points. */
    private static void channels(Words w, QuantizeOps.Channels c) {
        w.add(c.channelCount()).add(c.innerSize());
        for (int k = 0; k < c.channelCount(); k++) {
            w.add(Float.floatToRawIntBits(c.scales()[k]));
        }
        for (int k = 0; k < c.channelCount(); k++) {
            w.add(c.zeroPoints()[k]);
        }
    }

    private static String lookup(PlannedOp op, Plan plan, Words w, int count, byte[] table) {
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.add(OP_LOOKUP).add(0).add(count).add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        for (byte b : table) {
            w.add(b & 0xFF);
        }
        return null;
    }

    private static void broadcast(Words w, ElementwiseOps.Broadcast b, Plan plan, PlannedOp op) {
        int[] shape = b.outShape();
        w.add(shape.length).addAll(shape).addAll(b.stride1()).addAll(b.stride2());
        operand(w, plan, op.input(0));
        operand(w, plan, op.input(1));
        w.add(arenaOffset(plan, op.output(0)));
    }

    /** An input in the arena (0, offset) or a constant carried in the program (1, bytes). */
    private static void operand(Words w, Plan plan, int tensor) {
        TensorSpec t = plan.graph().tensor(tensor);
        if (t.isConstant()) {
            w.add(1).bytes(t);
        } else {
            w.add(0).add(arenaOffset(plan, tensor));
        }
    }

    private static void requant(Words w, ConvOps.Requant q, int channels, TensorSpec bias) {
        w.add(q.inputOffset()).add(q.filterOffset()).add(q.outputOffset()).add(q.actMin()).add(q.actMax());
        w.addAll(q.multiplier()).addAll(q.shift());
        if (bias == null) {
            w.addAll(new int[channels]);
        } else {
            int[] b = new int[channels];
            bias.data().asIntBuffer().get(b);
            w.addAll(b);
        }
    }

    private static Integer quantizedType(DataType t) {
        return t == DataType.UINT8 ? Integer.valueOf(TYPE_UINT8) : t == DataType.INT8 ? Integer.valueOf(TYPE_INT8) : null;
    }

    private static int arenaOffset(Plan plan, int tensor) {
        long o = plan.offset(tensor);
        if (o < 0 || o > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor " + tensor + " has no arena offset");
        }
        return (int) o;
    }

    /** A growable list of int32 words. */
    static final class Words {
        private int[] words = new int[256];
        private int size;

        Words add(int v) {
            if (size == words.length) {
                words = Arrays.copyOf(words, words.length * 2);
            }
            words[size++] = v;
            return this;
        }

        Words addAll(int[] values) {
            for (int v : values) {
                add(v);
            }
            return this;
        }

        /** A byte count, then the bytes of a constant tensor, padded to whole words. */
        Words bytes(TensorSpec constant) {
            ByteBuffer d = constant.data();
            int n = d.remaining();
            add(n);
            for (int i = 0; i < n; i += 4) {
                int v = 0;
                for (int k = 0; k < 4 && i + k < n; k++) {
                    v |= (d.get(i + k) & 0xFF) << (8 * k);
                }
                add(v);
            }
            return this;
        }

        void set(int index, int v) {
            words[index] = v;
        }

        int size() {
            return size;
        }

        ByteBuffer toBuffer() {
            ByteBuffer b = ByteBuffer.allocateDirect(size * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(words, 0, size);
            return b;
        }
    }
}
