package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.InferenceType;
import io.qbridge.converter.calibration.InputCovariance;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float graph into a uint8 or int8 one: activations get per-tensor parameters from their
 * ranges (shared where TFLite requires one set for several tensors, fixed where the spec fixes
 * them), weights and biases are quantized, and QUANTIZE/DEQUANTIZE ops are put at the edges for the
 * requested input and output types. Tensor i of the result is tensor i of the float graph (new
 * tensors are appended), so that the two can be compared tensor by tensor.
 */
public final class Quantizer {

    /**
     * @param inputType    type of the model's inputs (FLOAT32, UINT8, INT8); null: the activation type
     * @param outputType   type of the model's outputs; null: the activation type
     * @param inputMean    with {@code inputStd}: integer inputs get {@code tflite_convert}'s
     *                     mean/std parameters instead of calibrated ones (null: calibrated)
     * @param defaultRange range of tensors nothing else gives a range (null: such tensors are an error)
     */
    /**
     * @param floatLayers the first this many CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED, and every op
     *                    before the last of them, stay float (mixed precision for the layers whose
     *                    activation rounding the rest of the network amplifies most); 0: none
     */
    public record Options(InferenceType type, DataType inputType, DataType outputType, Float inputMean,
                          Float inputStd, Range defaultRange, boolean biasCorrection, int floatLayers) {
    }

    /**
     * int8 CONV_2D/DEPTHWISE_CONV_2D weights are per tensor when their rounding error, weighed by the
     * input channels' mean squares, is at most this many times the per-channel error: per-channel
     * parameters cost 8 bytes per channel (weight and bias scales), which is most of the file's
     * overhead in small networks, and buy nothing where the channels have similar ranges.
     */
    public static final double PER_TENSOR_TOLERANCE = Double.parseDouble(
            System.getProperty("qbridge.perTensorTolerance", "1.25"));

    /** FULLY_CONNECTED (per-tensor) weights clipped for the least weighted error ({@link #clippedPerTensor}). */
    static final boolean FC_WEIGHT_CLIPPING = Boolean.parseBoolean(System.getProperty("qbridge.fcClip", "true"));

    /** The quantized graph and what was done. */
    public record Result(Graph graph, int quantizedOps, List<String> notes) {
    }

    private final Graph g;
    private final Map<Integer, Range> calibrated;
    private final RangeHints hints;
    private final Options o;
    private final DataType type;
    private final Map<Integer, ChannelMoments> moments;
    private final Map<Integer, InputCovariance.Moments> covariances;
    private int gptqLayers;
    /**
     * GPTQ needs E[x x^T] from several times as many receptive fields as it has entries per row: from
     * fewer, the matrix is rank-deficient and rounding errors get pushed into directions calibration
     * never saw (a logits layer fed by global pooling gets one field per image).
     */
    static final int GPTQ_FIELDS_PER_INPUT = 4;
    private int biasCorrections;
    private int perTensorLayers;
    private final List<String> notes = new ArrayList<>();
    private ActivationParams activations;

    private Quantizer(Graph g, Map<Integer, Range> calibrated, RangeHints hints, Options o,
                      Map<Integer, ChannelMoments> moments, Map<Integer, InputCovariance.Moments> covariances) {
        this.g = g;
        this.covariances = covariances == null ? Map.of() : covariances;
        this.moments = moments == null ? Map.of() : moments;
        this.calibrated = calibrated;
        this.hints = hints == null ? new RangeHints() : hints;
        this.o = o;
        this.type = o.type().activationType();
    }

    /**
     * @param calibrated observed ranges of the float graph's activations (may be empty when every
     *                   range comes from the model or the default range)
     */
    public static Result quantize(Graph g, Map<Integer, Range> calibrated, RangeHints hints, Options o) {
        return quantize(g, calibrated, hints, o, null);
    }

    /**
     * @param moments calibration moments of each channel of the inputs of CONV_2D, DEPTHWISE_CONV_2D
     *                and FULLY_CONNECTED, by tensor: their biases are corrected for the weights'
     *                rounding ({@link BiasCorrection}) and int8 weights are per tensor where that
     *                costs no accuracy; null or empty: no correction, per channel everywhere
     */
    public static Result quantize(Graph g, Map<Integer, Range> calibrated, RangeHints hints, Options o,
                                  Map<Integer, ChannelMoments> moments) {
        return quantize(g, calibrated, hints, o, moments, null);
    }

    /**
     * @param covariances E[x x^T] of the receptive fields of CONV_2D, DEPTHWISE_CONV_2D and
     *                    FULLY_CONNECTED by operator index: their weights are rounded with {@link Gptq}
     */
    public static Result quantize(Graph g, Map<Integer, Range> calibrated, RangeHints hints, Options o,
                                  Map<Integer, ChannelMoments> moments,
                                  Map<Integer, InputCovariance.Moments> covariances) {
        if (o.type() == InferenceType.WEIGHTS_ONLY) {
            throw new IllegalArgumentException("weights-only models are made by WeightsOnlyQuantizer");
        }
        return new Quantizer(g, calibrated, hints, o, moments, covariances).run();
    }

    private Result run() {
        FloatLayers floatLayers = FloatLayers.choose(g, o.floatLayers());
        OpRule.requireSupported(g, o.type());
        activations = ActivationParams.choose(g, calibrated, hints, o, notes);
        EditableGraph e = new EditableGraph(g);
        List<EditableGraph.Op> floatOps = floatLayers.opsIn(e);
        for (int t : activations.values()) {
            TensorSpec spec = g.tensor(t);
            QuantParams p = activations.of(t);
            if (floatLayers.isFloatTensor(t)) {
                continue;
            }
            if (spec.isConstant()) {
                float[] v = Constants.floats(spec);
                e.setTensor(t, type, p, Constants.ofBytes(WeightQuantizer.quantizeWith(v, p, type).values()));
            } else {
                e.setTensor(t, type, p, null);
            }
        }
        Map<Integer, WeightQuantizer.Quantized> weights = new HashMap<>();
        Set<Integer> biasDone = new java.util.HashSet<>();
        int quantizedOps = 0;
        for (int index = 0; index < e.ops().size(); index++) {
            EditableGraph.Op op = e.ops().get(index);
            int opIndex = index;
            if (floatLayers.isFloatOp(opIndex)) {
                continue;
            }
            OpRule rule = OpRule.of(op.code);
            for (int k = 0; k < op.inputs.length; k++) {
                int t = op.inputs[k];
                OpRule.Input role = rule.input(k);
                if (t >= 0 && (role == OpRule.Input.WEIGHTS_AXIS0 || role == OpRule.Input.WEIGHTS_AXIS3)) {
                    weights.computeIfAbsent(t, w -> quantizeWeights(e, w, role, op, opIndex));
                }
            }
            int biasIndex = biasInput(rule);
            if (biasIndex >= 0) {
                quantizeBias(e, op, biasIndex, weights.get(op.input(1)), biasDone);
            }
            if (type == DataType.INT8) {
                op.version = Math.max(op.version, rule.int8Version());
                if (op.options instanceof OpOptions.FullyConnected fc && fc.keepNumDims()) {
                    op.version = Math.max(op.version, 5);   // keep_num_dims arrived in version 5
                }
            }
            quantizedOps++;
        }
        floatLayers.addBoundaries(e, floatOps, type, activations);
        ModelEdges.add(e, type, o.inputType(), o.outputType(), floatLayers, activations);
        QdqCleanup.removeDequantizeQuantizePairs(e);
        if (!floatLayers.isEmpty()) {
            notes.add(floatLayers.opCount() + " operators kept float (--float-layers " + o.floatLayers() + ")");
        }
        if (gptqLayers > 0) {
            notes.add("weights rounded for least output error (GPTQ) in " + gptqLayers + " layers");
        }
        if (perTensorLayers > 0) {
            notes.add("int8 weights per tensor in " + perTensorLayers + " layers (per channel measured no better)");
        }
        if (biasCorrections > 0) {
            notes.add("bias corrected for weight rounding in " + biasCorrections + " layers");
        }
        return new Result(e.build(), quantizedOps, notes);
    }

    private WeightQuantizer.Quantized quantizeWeights(EditableGraph e, int t, OpRule.Input role, EditableGraph.Op op,
                                                      int opIndex) {
        TensorSpec spec = g.tensor(t);
        float[] w = Constants.floats(spec);
        InputCovariance.Moments cov = covariances.get(opIndex);
        WeightQuantizer.Quantized q;
        if (type == DataType.UINT8) {
            Range r = hints.recorded(t);
            OpOptions.FakeQuant fq = hints.fakeQuant(t);
            if (fq != null) {
                q = WeightQuantizer.quantizeWith(w, AffineParams.fromFakeQuant(fq.min(), fq.max(), fq.narrowRange(),
                        type), type);
            } else {
                q = WeightQuantizer.asymmetricPerTensor(w, type, r);
            }
        } else if (op.code == BuiltinOperator.FULLY_CONNECTED) {
            q = WeightQuantizer.symmetricPerTensor(w);   // the int8 spec: FULLY_CONNECTED weights per tensor
            ChannelMoments m = moments.get(op.input(0));
            if (FC_WEIGHT_CLIPPING && m != null && m.meanSquare() != null && m.meanSquare().length == spec.dim(1)) {
                q = clippedPerTensor(op.code, spec.shape(), w, q, m.meanSquare());
            }
        } else {
            q = WeightQuantizer.symmetricPerChannel(w, spec.shape(), role == OpRule.Input.WEIGHTS_AXIS3 ? 3 : 0);
            ChannelMoments m = moments.get(op.input(0));
            if (m != null && m.meanSquare() != null) {
                WeightQuantizer.Quantized perTensor = WeightQuantizer.symmetricPerTensor(w);
                double ePc = weightedError(op.code, spec.shape(), w, q, m.meanSquare());
                double ePt = weightedError(op.code, spec.shape(), w, perTensor, m.meanSquare());
                if (System.getProperty("qbridge.debugGranularity") != null) {
                    notes.add(String.format(java.util.Locale.ROOT, "%s per-tensor/per-channel error %.3f",
                            spec.name(), ePt / ePc));
                }
                if (ePt <= PER_TENSOR_TOLERANCE * ePc) {
                    q = perTensor;
                    perTensorLayers++;
                }
            }
        }
        q = roundWithCovariance(op, spec, w, q, cov);
        e.setTensor(t, type, q.params(), Constants.ofBytes(q.values()));
        return q;
    }

    /** The same parameters with {@link Gptq} rounding when the layer's input covariance is known. */
    private WeightQuantizer.Quantized roundWithCovariance(EditableGraph.Op op, TensorSpec spec, float[] w,
                                                          WeightQuantizer.Quantized plain,
                                                          InputCovariance.Moments cov) {
        if (cov == null || cov.count() < (long) GPTQ_FIELDS_PER_INPUT * cov.k()) {
            return plain;
        }
        QuantParams p = plain.params();
        int[] q = plain.values().clone();
        int qmin = type == DataType.UINT8 ? 0 : -WeightQuantizer.INT8_WEIGHT_MAX;
        int qmax = type == DataType.UINT8 ? 255 : WeightQuantizer.INT8_WEIGHT_MAX;
        boolean ok = true;
        if (op.code == BuiltinOperator.DEPTHWISE_CONV_2D) {
            int channels = spec.dim(3);
            if (cov.groups() != channels || cov.k() != spec.dim(1) * spec.dim(2)) {
                return plain;
            }
            for (int c = 0; c < channels && ok; c++) {
                int pc = p.isPerChannel() ? c : 0;
                ok = Gptq.round(w, q, c, 1, 0, cov.k(), channels, cov.matrices()[c], new float[] {p.scale(pc)},
                        new int[] {p.zeroPoint(pc)}, qmin, qmax);
            }
        } else {
            int rows = spec.dim(0);
            int cols = (int) (spec.elementCount() / rows);
            if (cov.groups() != 1 || cov.k() != cols) {
                return plain;
            }
            float[] scales = new float[rows];
            int[] zeros = new int[rows];
            for (int r = 0; r < rows; r++) {
                scales[r] = p.isPerChannel() ? p.scale(r) : p.scale();
                zeros[r] = p.isPerChannel() ? p.zeroPoint(r) : p.zeroPoint();
            }
            ok = Gptq.round(w, q, 0, rows, cols, cols, 1, cov.matrices()[0], scales, zeros, qmin, qmax);
        }
        if (!ok) {
            return plain;
        }
        gptqLayers++;
        return new WeightQuantizer.Quantized(q, p);
    }

    /**
     * Per-tensor weights whose few largest values set a step that is coarse for all the others (a
     * 1001-class logits layer): the clipping of |w| that minimizes the rounding-plus-clipping error,
     * each weight's error weighed by E[x^2] of the input it multiplies, searched from the maximum
     * down to half of it.
     */
    private WeightQuantizer.Quantized clippedPerTensor(int code, int[] shape, float[] w,
                                                       WeightQuantizer.Quantized full, double[] meanSquare) {
        float maxAbs = full.params().scale() * WeightQuantizer.INT8_WEIGHT_MAX;
        WeightQuantizer.Quantized best = full;
        double bestError = weightedError(code, shape, w, full, meanSquare);
        double fullError = bestError;
        for (int i = 1; i <= 50; i++) {
            WeightQuantizer.Quantized c = WeightQuantizer.symmetricPerTensor(w, maxAbs * (1f - 0.01f * i));
            double e = weightedError(code, shape, w, c, meanSquare);
            if (e < bestError) {
                bestError = e;
                best = c;
            }
        }
        if (best != full) {
            notes.add(String.format(java.util.Locale.ROOT, "per-tensor weights clipped to %.0f%% of their maximum "
                    + "(weighted error %.2fx)", 100 * best.params().scale() / full.params().scale(),
                    bestError / fullError));
        }
        return best;
    }

    /** Sum of squared weight rounding errors, each weighed by E[x^2] of the input channel it multiplies. */
    static double weightedError(int code, int[] shape, float[] w, WeightQuantizer.Quantized q, double[] meanSquare) {
        float[] d = BiasCorrection.dequantize(q.values(), shape, q.params());
        int last = shape[shape.length - 1];
        int multiplier = code == BuiltinOperator.DEPTHWISE_CONV_2D && meanSquare.length > 0
                ? Math.max(1, last / meanSquare.length) : 1;
        double e = 0;
        for (int i = 0; i < w.length; i++) {
            int channel = (i % last) / multiplier;
            double weight = channel < meanSquare.length ? meanSquare[channel] : 1;
            double diff = w[i] - d[i];
            e += diff * diff * weight;
        }
        return e;
    }

    private static int biasInput(OpRule rule) {
        for (int k = 0; k < rule.inputs().length; k++) {
            if (rule.inputs()[k] == OpRule.Input.BIAS) {
                return k;
            }
        }
        return -1;
    }

    /** int32 bias for the op's input scale and weight scales; a missing bias becomes zeros (Arm NN needs one). */
    private void quantizeBias(EditableGraph e, EditableGraph.Op op, int k, WeightQuantizer.Quantized qw,
                              Set<Integer> done) {
        QuantParams weights = qw.params();
        float inputScale = activations.of(op.input(0)).scale();
        TensorSpec w = g.tensor(op.input(1));
        int channels = weights.isPerChannel() ? weights.channelCount()
                : w.dim(op.code == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0);
        int t = op.input(k);
        float[] b = t >= 0 ? Constants.floats(g.tensor(t)) : new float[channels];
        float[] corrected = BiasCorrection.corrected(op.code, w.shape(), Constants.floats(w),
                BiasCorrection.dequantize(qw.values(), w.shape(), weights), b, moments.containsKey(op.input(0)) ? moments.get(op.input(0)).mean() : null);
        if (corrected != null && o.biasCorrection()) {
            b = corrected;
            biasCorrections++;
        }
        WeightQuantizer.Quantized q = WeightQuantizer.bias(b, inputScale, weights);
        if (weights.isPerChannel()) {
            // TFLite derives per-channel bias scales (input scale x weight scale) and never reads them
            // (only the legacy per-tensor path checks a bias scale); leaving them out saves 4 bytes a
            // channel, a tenth of a small per-channel model's overhead.
            q = new WeightQuantizer.Quantized(q.values(), QuantParams.NONE);
        }
        if (t < 0 || done.contains(t)) {
            String name = t >= 0 ? g.tensor(t).name() : g.tensor(op.output(0)).name() + "/bias";
            int nt = e.addTensor(name, DataType.INT32, new int[] {channels}, q.params(), Constants.of(q.values()));
            if (op.inputs.length <= k) {
                op.inputs = java.util.Arrays.copyOf(op.inputs, k + 1);
            }
            op.inputs[k] = nt;
        } else {
            e.setTensor(t, DataType.INT32, q.params(), Constants.of(q.values()));
            done.add(t);
        }
    }
}
