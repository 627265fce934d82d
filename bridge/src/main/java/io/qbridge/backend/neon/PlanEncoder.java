package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.Plan;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ActivationOps;
import io.qbridge.plan.ops.Conv2DOps;
import io.qbridge.plan.ops.DepthwiseConv2DOps;
import io.qbridge.plan.ops.ElementwiseOps;
import io.qbridge.plan.ops.FullyConnectedOps;
import io.qbridge.plan.ops.PoolOps;
import io.qbridge.plan.ops.QuantizeOps;
import io.qbridge.plan.ops.ReduceOps;
import io.qbridge.plan.ops.ConvQuantization;
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
 * and its constant data, as little-endian int32 words. It computes nothing: every value comes from
 * the op's params, as the Java kernels read them. The layout of every record is defined once,
 * in {@code native/src/program.def}; every field is written by its name there, and
 * ProgramWireFormatTest checks what this writes against that table and against what the C++
 * readers read.
 * The native side packs the weights for the kernels of the CPU it runs on. Ops or types the
 * native executor lacks are all reported at once as an {@link UnsupportedModelException}.
 */
public final class PlanEncoder {
    static final int MAGIC = 0x31504251;   // "QBP1"
    static final int VERSION = 3;

    /** The op records of {@code native/src/program.def}, with their opcodes. */
    enum Record {
        CONV_2D(1), FULLY_CONNECTED(2), AVERAGE_POOL_2D(3), RESHAPE(4), SOFTMAX(5), ADD(6), MUL(7), MEAN(8),
        LOOKUP(9), PAD(10), CONCATENATION(11), QUANTIZE(12), DEQUANTIZE(13), DEPTHWISE_CONV_2D(14), MAX_POOL_2D(15);

        final int opcode;

        Record(int opcode) {
            this.opcode = opcode;
        }
    }

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
        ENCODERS.put(Conv2DOps.Conv2DParams.class, PlanEncoder::conv2D);
        ENCODERS.put(DepthwiseConv2DOps.DepthwiseConv2DParams.class, PlanEncoder::depthwiseConv2D);
        ENCODERS.put(FullyConnectedOps.FullyConnectedParams.class, PlanEncoder::fullyConnected);
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
        return encode(plan, false).program();
    }

    /** A program and, when traced, every record's name and field as written (the format of qb_describe). */
    record Encoded(ByteBuffer program, String trace) {
    }

    static Encoded encode(Plan plan, boolean traced) {
        Words w = new Words(traced);
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
        return new Encoded(w.toBuffer(), w.trace());
    }

    private static String conv2D(PlannedOp op, Plan plan, Words w) {
        Conv2DOps.Conv2DParams p = (Conv2DOps.Conv2DParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.CONV_2D).field("type", type)
                .field("batches", p.batches()).field("input_height", p.inH()).field("input_width", p.inW())
                .field("input_channels", p.inC()).field("output_height", p.outH()).field("output_width", p.outW())
                .field("output_channels", p.outC()).field("filter_height", p.filterH())
                .field("filter_width", p.filterW());
        window(w, plan, op, p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), p.padTop(), p.padLeft());
        weights(w, p.quantization(), p.outC(), p.bias(), p.filter());
        return null;
    }

    private static String depthwiseConv2D(PlannedOp op, Plan plan, Words w) {
        DepthwiseConv2DOps.DepthwiseConv2DParams p = (DepthwiseConv2DOps.DepthwiseConv2DParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.DEPTHWISE_CONV_2D).field("type", type)
                .field("batches", p.batches()).field("input_height", p.inH()).field("input_width", p.inW())
                .field("input_channels", p.inC()).field("output_height", p.outH()).field("output_width", p.outW())
                .field("output_channels", p.outC()).field("filter_height", p.filterH())
                .field("filter_width", p.filterW()).field("depth_multiplier", p.depthMultiplier());
        window(w, plan, op, p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), p.padTop(), p.padLeft());
        weights(w, p.quantization(), p.outC(), p.bias(), p.filter());
        return null;
    }

    /** stride_height through output of CONV_2D and DEPTHWISE_CONV_2D. */
    private static void window(Words w, Plan plan, PlannedOp op, int strideH, int strideW, int dilationH,
                               int dilationW, int padTop, int padLeft) {
        w.field("stride_height", strideH).field("stride_width", strideW).field("dilation_height", dilationH)
                .field("dilation_width", dilationW).field("pad_top", padTop).field("pad_left", padLeft)
                .field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)));
    }

    private static String fullyConnected(PlannedOp op, Plan plan, Words w) {
        FullyConnectedOps.FullyConnectedParams p = (FullyConnectedOps.FullyConnectedParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.FULLY_CONNECTED).field("type", type).field("batches", p.batches())
                .field("input_depth", p.inDepth()).field("output_depth", p.outDepth())
                .field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)));
        weights(w, p.quantization(), p.outDepth(), p.bias(), p.filter());
        return null;
    }

    private static String pool(PlannedOp op, Plan plan, Words w) {
        PoolOps.Pool2DParams p = (PoolOps.Pool2DParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(p.average() ? Record.AVERAGE_POOL_2D : Record.MAX_POOL_2D).field("type", type)
                .field("batches", p.batches()).field("input_height", p.inH()).field("input_width", p.inW())
                .field("channels", p.channels()).field("output_height", p.outH()).field("output_width", p.outW())
                .field("filter_height", p.filterH()).field("filter_width", p.filterW())
                .field("stride_height", p.strideH()).field("stride_width", p.strideW())
                .field("pad_top", p.padTop()).field("pad_left", p.padLeft())
                .field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)))
                .field("output_min", p.actMin()).field("output_max", p.actMax());
        return null;
    }

    /** RESHAPE and SQUEEZE: a byte copy, or nothing where the planner placed both together. */
    private static String reshape(PlannedOp op, Plan plan, Words w) {
        ShapeOps.ReshapeParams p = (ShapeOps.ReshapeParams) op.params();
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.record(Record.RESHAPE).field("byte_count", p.byteCount()).field("input", arenaOffset(plan, op.input(0)))
                .field("output", arenaOffset(plan, op.output(0)));
        return null;
    }

    /**
     * SOFTMAX: the plan's exponential of every possible difference to the row maximum (0..-255),
     * and the same in Q12.19 as it is summed; native code sums, takes the reciprocal and scales
     * exactly as the reference does.
     */
    private static String softmax(PlannedOp op, Plan plan, Words w) {
        ActivationOps.SoftmaxParams p = (ActivationOps.SoftmaxParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.SOFTMAX).field("type", type).field("rows", p.outer()).field("depth", p.depth())
                .field("diff_min", p.diffMin()).ints("exp", p.expOfDiff()).ints("exp_q12", p.expOfDiffQ12())
                .field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)));
        return null;
    }

    /** ADD: the plan's rescaled value of each input byte, per input. */
    private static String add(PlannedOp op, Plan plan, Words w) {
        ElementwiseOps.AddParams p = (ElementwiseOps.AddParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.ADD).field("type", type);
        broadcast(w, p.broadcast(), plan, op);
        w.ints("input1_table", p.input1Rescaled()).ints("input2_table", p.input2Rescaled());
        // the plan carries TFLite's offsets (-zero point)
        w.field("input1_zero_point", -p.input1Offset()).field("input2_zero_point", -p.input2Offset())
                .field("left_shift", p.leftShift()).field("input1_multiplier", p.input1Multiplier())
                .field("input1_shift", p.input1Shift()).field("input2_multiplier", p.input2Multiplier())
                .field("input2_shift", p.input2Shift());
        outputStage(w, p.outputMultiplier(), p.outputShift(), p.outputOffset(), p.actMin(), p.actMax());
        return null;
    }

    private static String mul(PlannedOp op, Plan plan, Words w) {
        ElementwiseOps.MulParams p = (ElementwiseOps.MulParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        w.record(Record.MUL).field("type", type);
        broadcast(w, p.broadcast(), plan, op);
        w.field("input1_zero_point", -p.input1Offset()).field("input2_zero_point", -p.input2Offset());
        outputStage(w, p.outputMultiplier(), p.outputShift(), p.outputOffset(), p.actMin(), p.actMax());
        return null;
    }

    /**
     * MEAN: output o sums the input at {@code outputOffsets[o] + reducedOffsets[r]} for every r,
     * as the plan lists them.
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
        long inputBytes = plan.graph().tensor(op.input(0)).byteSize();
        w.record(Record.MEAN).field("type", type).field("outputs", p.outputCount())
                .field("reduced_count", p.reducedCount()).field("input", arenaOffset(plan, op.input(0)))
                .field("output", arenaOffset(plan, op.output(0))).field("input_bytes", (int) inputBytes)
                .ints("output_first_element", p.outputOffsets())
                .ints("reduced_element", p.reducedOffsets())
                .field("input_zero_point_times_count", p.zeroPointTimesCount()).field("output_multiplier", p.multiplier())
                .field("output_shift", p.shift()).field("output_zero_point", p.outputZeroPoint());
        return null;
    }

    /** QUANTIZE between uint8 and int8: the plan's result for each input byte. */
    private static String requantize(PlannedOp op, Plan plan, Words w) {
        QuantizeOps.RequantizeParams p = (QuantizeOps.RequantizeParams) op.params();
        if (p.table() == null) {
            return op.op().opName() + " from " + p.inputType() + " to " + p.outputType();
        }
        return lookup(op, plan, w, p.elementCount(), p.table());
    }

    /** Quantized RELU/RELU6: the plan's ReluX of every input byte. */
    private static String relu(PlannedOp op, Plan plan, Words w) {
        ActivationOps.ReluParams p = (ActivationOps.ReluParams) op.params();
        if (quantizedType(p.type()) == null) {
            return op.op().opName() + " on " + p.type();
        }
        return lookup(op, plan, w, p.size(), p.table());
    }

    /** Quantized LOGISTIC/TANH: the plan's gemmlowp result for every input byte. */
    private static String logisticTanh(PlannedOp op, Plan plan, Words w) {
        ActivationOps.LogisticTanhParams p = (ActivationOps.LogisticTanhParams) op.params();
        if (quantizedType(p.type()) == null) {
            return op.op().opName() + " on " + p.type();
        }
        return lookup(op, plan, w, p.size(), p.table());
    }

    /**
     * PAD/PADV2 of any element type (a byte copy): the plan's shapes (unpadded trailing
     * dimensions merged) and the pad value's bytes.
     */
    private static String pad(PlannedOp op, Plan plan, Words w) {
        ShapeOps.PadParams p = (ShapeOps.PadParams) op.params();
        if (p.padValue() == null) {
            return op.op().opName() + " with a pad value computed at run time";
        }
        int rank = p.outputShape().length;
        if (rank > PAD_MAX_RANK) {
            return op.op().opName() + " over more than " + PAD_MAX_RANK + " padded dimensions";
        }
        w.record(Record.PAD).field("element_bytes", p.type().byteSize()).field("rank", rank)
                .ints("input_shape", p.inputShape()).ints("output_shape", p.outputShape())
                .ints("pad_before", p.padBefore()).field("pad_value_bytes", p.padValue().length)
                .ints("pad_value", unsigned(p.padValue())).operand("input", plan, op.input(0))
                .field("output", arenaOffset(plan, op.output(0)));
        return null;
    }

    /**
     * CONCATENATION as rows: per input its row bytes, its data, and the plan's requantization
     * table when its quantization differs from the output's.
     */
    private static String concatenation(PlannedOp op, Plan plan, Words w) {
        ShapeOps.ConcatenationParams p = (ShapeOps.ConcatenationParams) op.params();
        int n = p.inputRowElements().length;
        int es = p.type().byteSize();
        w.record(Record.CONCATENATION).field("rows", p.outerCount()).field("inputs", n);
        for (int i = 0; i < n; i++) {
            byte[] table = p.requantizeTables()[i];
            if (table != null && es != 1) {
                return op.op().opName() + " requantizing " + p.type();
            }
            w.field("row_bytes", p.inputRowElements()[i] * es).operand("input", plan, op.input(i))
                    .field("requantize", table == null ? 0 : 1);
            if (table != null) {
                w.ints("table", unsigned(table));
            }
        }
        w.field("output", arenaOffset(plan, op.output(0)));
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
        w.record(Record.QUANTIZE).field("type", type).field("count", p.elementCount());
        channels(w, p.channels());
        w.field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)));
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
        w.record(Record.DEQUANTIZE).field("type", type).field("count", p.elementCount());
        channels(w, p.channels());
        w.field("input", arenaOffset(plan, op.input(0))).field("output", arenaOffset(plan, op.output(0)));
        return null;
    }

    /** Channel count, elements per channel run, scales (float bits), zero points. */
    private static void channels(Words w, QuantizeOps.Channels c) {
        int[] scaleBits = new int[c.channelCount()];
        for (int k = 0; k < scaleBits.length; k++) {
            scaleBits[k] = Float.floatToRawIntBits(c.scales()[k]);
        }
        w.field("channels", c.channelCount()).field("channel_stride", c.innerSize()).ints("scale_bits", scaleBits)
                .ints("zero_point", Arrays.copyOf(c.zeroPoints(), c.channelCount()));
    }

    private static String lookup(PlannedOp op, Plan plan, Words w, int count, byte[] table) {
        if (plan.graph().tensor(op.input(0)).isConstant()) {
            return op.op().opName() + " of a constant tensor";
        }
        w.record(Record.LOOKUP).field("count", count).field("input", arenaOffset(plan, op.input(0)))
                .field("output", arenaOffset(plan, op.output(0))).ints("table", unsigned(table));
        return null;
    }

    private static void broadcast(Words w, ElementwiseOps.Broadcast b, Plan plan, PlannedOp op) {
        int[] shape = b.outShape();
        w.field("rank", shape.length).ints("shape", shape).ints("input1_stride", b.stride1())
                .ints("input2_stride", b.stride2()).operand("input1", plan, op.input(0))
                .operand("input2", plan, op.input(1)).field("output", arenaOffset(plan, op.output(0)));
    }

    /** input_zero_point through output_max of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, as the plan has them. */
    private static void weights(Words w, ConvQuantization q, int channels, TensorSpec bias, TensorSpec filter) {
        int[] b = ConvQuantization.biasValues(bias, channels);
        w.field("input_zero_point", q.inputZeroPoint()).field("filter_zero_point", q.filterZeroPoint()).ints("bias", b)
                .bytes("filter", filter);
        w.ints("output_multiplier", q.outputMultiplier()).ints("output_shift", q.outputShift());
        w.field("output_zero_point", q.outputZeroPoint()).field("output_min", q.outputMin())
                .field("output_max", q.outputMax());
    }

    /** A per-tensor output stage: output_multiplier output_shift output_zero_point output_min output_max. */
    private static void outputStage(Words w, int multiplier, int shift, int zeroPoint, int min, int max) {
        w.field("output_multiplier", multiplier).field("output_shift", shift).field("output_zero_point", zeroPoint)
                .field("output_min", min).field("output_max", max);
    }

    private static int[] unsigned(byte[] bytes) {
        int[] v = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            v[i] = bytes[i] & 0xFF;
        }
        return v;
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

    /**
     * A growable list of int32 words, written field by field under the names of program.def; when
     * traced, also each record's name and every field as text (the format of qb_describe).
     */
    static final class Words {
        private static final char[] HEX = "0123456789abcdef".toCharArray();
        private int[] words = new int[256];
        private int size;
        private final StringBuilder trace;

        Words(boolean traced) {
            trace = traced ? new StringBuilder() : null;
        }

        /** A word outside any field (header, opcode, record length). */
        Words add(int v) {
            if (size == words.length) {
                words = Arrays.copyOf(words, words.length * 2);
            }
            words[size++] = v;
            return this;
        }

        /** Starts a record: its opcode and a length word that encode() fills in. */
        Words record(Record r) {
            if (trace != null) {
                trace.append(r.name()).append('\n');
            }
            return add(r.opcode).add(0);
        }

        /** name */
        Words field(String name, int v) {
            note(name, Integer.toString(v));
            return add(v);
        }

        /** name[n] */
        Words ints(String name, int[] values) {
            if (trace != null) {
                StringBuilder s = new StringBuilder("[");
                for (int i = 0; i < values.length; i++) {
                    s.append(i > 0 ? "," : "").append(values[i]);
                }
                note(name, s.append(']').toString());
            }
            for (int v : values) {
                add(v);
            }
            return this;
        }

        /** name:bytes, the bytes of a constant tensor: a byte count, then the bytes padded to whole words. */
        Words bytes(String name, TensorSpec constant) {
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
            note(name, hex(d));
            return this;
        }

        /** name:operand, an input in the arena (0, offset) or a constant carried in the program (1, bytes). */
        Words operand(String name, Plan plan, int tensor) {
            TensorSpec t = plan.graph().tensor(tensor);
            if (t.isConstant()) {
                add(1).bytes(name, t);
            } else {
                int offset = arenaOffset(plan, tensor);
                add(0).add(offset);
                note(name, "@" + offset);
            }
            return this;
        }

        private void note(String name, String value) {
            if (trace != null) {
                trace.append(name).append('=').append(value).append('\n');
            }
        }

        private static String hex(ByteBuffer d) {
            StringBuilder s = new StringBuilder("bytes:");
            for (int i = 0; i < d.remaining(); i++) {
                int b = d.get(i) & 0xFF;
                s.append(HEX[b >> 4]).append(HEX[b & 15]);
            }
            return s.toString();
        }

        void set(int index, int v) {
            words[index] = v;
        }

        int size() {
            return size;
        }

        String trace() {
            return trace == null ? null : trace.toString();
        }

        ByteBuffer toBuffer() {
            ByteBuffer b = ByteBuffer.allocateDirect(size * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(words, 0, size);
            return b;
        }
    }
}
