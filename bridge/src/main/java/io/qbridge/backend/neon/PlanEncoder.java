package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.Plan;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ConvOps;

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
    static final int VERSION = 1;
    static final int OP_CONV = 1;
    static final int OP_FULLY_CONNECTED = 2;
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

    private static String conv(PlannedOp op, Plan plan, Words w) {
        ConvOps.ConvParams p = (ConvOps.ConvParams) op.params();
        Integer type = quantizedType(p.type());
        if (type == null) {
            return op.op().opName() + " on " + p.type();
        }
        ConvOps.Requant q = p.requant();
        w.add(OP_CONV).add(0).add(type).add(p.depthwise() ? 1 : 0).add(p.batches()).add(p.inH()).add(p.inW())
                .add(p.inC()).add(p.outH()).add(p.outW()).add(p.outC()).add(p.filterH()).add(p.filterW())
                .add(p.depthMultiplier()).add(p.strideH()).add(p.strideW()).add(p.dilationH()).add(p.dilationW())
                .add(p.padTop()).add(p.padLeft()).add(arenaOffset(plan, op.input(0))).add(arenaOffset(plan, op.output(0)));
        requant(w, q, p.outC(), p.bias());
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
