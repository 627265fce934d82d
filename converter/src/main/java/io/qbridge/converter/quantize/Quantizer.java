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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a float graph into a uint8 or int8 one: activations get per-tensor parameters from their
 * ranges (shared where TFLite requires one set for several tensors, fixed where the spec fixes
 * them), weights and biases are quantized, and QUANTIZE/DEQUANTIZE ops are put at the edges for the
 * requested input and output types. Tensor i of the result is tensor i of the float graph (new
 * tensors are appended), so that the two can be compared tensor by tensor.
 *
 * <p>The passes, in order: {@link FloatLayers} (what stays float), {@link OpRule#requireSupported},
 * {@link ActivationParams}, then per op {@link LayerWeights} and {@link LayerBiases}; last the
 * QUANTIZE/DEQUANTIZE of {@link FloatLayers#addBoundaries}, {@link ModelEdges} and {@link QdqCleanup}.
 */
public final class Quantizer {

    /**
     * int8 CONV_2D/DEPTHWISE_CONV_2D weights are per tensor when their rounding error, weighed by the
     * input channels' mean squares, is at most this many times the per-channel error: per-channel
     * parameters cost 8 bytes per channel (weight and bias scales), which is most of the file's
     * overhead in small networks, and buy nothing where the channels have similar ranges.
     */
    public static final double DEFAULT_PER_TENSOR_TOLERANCE = 1.25;

    /**
     * @param inputType    type of the model's inputs (FLOAT32, UINT8, INT8); null: the activation type
     * @param outputType   type of the model's outputs; null: the activation type
     * @param inputMean    with {@code inputStd}: integer inputs get {@code tflite_convert}'s
     *                     mean/std parameters instead of calibrated ones (null: calibrated)
     * @param defaultRange range of tensors nothing else gives a range (null: such tensors are an error)
     * @param biasCorrection correct biases for the weights' rounding where channel moments are given
     * @param floatLayers  the first this many CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED, and every op
     *                     before the last of them, stay float ({@link FloatLayers}); 0: none
     * @param perTensorTolerance int8 convolution weights are per tensor where their weighted rounding
     *                     error is at most this many times the per-channel one
     *                     ({@link #DEFAULT_PER_TENSOR_TOLERANCE}; needs channel moments)
     * @param fullyConnectedClipping clip int8 FULLY_CONNECTED weights ({@link FullyConnectedClipping};
     *                     needs channel moments)
     */
    public record Options(InferenceType type, DataType inputType, DataType outputType, Float inputMean,
                          Float inputStd, Range defaultRange, boolean biasCorrection, int floatLayers,
                          double perTensorTolerance, boolean fullyConnectedClipping) {

        /** Calibrated integer I/O, no bias correction, every layer quantized, the default weight choices. */
        public static Options defaults(InferenceType type) {
            return new Options(type, null, null, null, null, null, false, 0, DEFAULT_PER_TENSOR_TOLERANCE, true);
        }
    }

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
    private final List<String> notes = new ArrayList<>();

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
        ActivationParams activations = ActivationParams.choose(g, calibrated, hints, o, notes);
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
        LayerWeights weights = new LayerWeights(g, type, hints, moments, covariances, o.perTensorTolerance(),
                o.fullyConnectedClipping(), notes);
        LayerBiases biases = new LayerBiases(g, activations, moments, o.biasCorrection());
        int quantizedOps = 0;
        for (int opIndex = 0; opIndex < e.ops().size(); opIndex++) {
            EditableGraph.Op op = e.ops().get(opIndex);
            if (floatLayers.isFloatOp(opIndex)) {
                continue;
            }
            OpRule rule = OpRule.of(op.code);
            for (int k = 0; k < op.inputs.length; k++) {
                int t = op.inputs[k];
                OpRule.Input role = rule.input(k);
                if (t >= 0 && (role == OpRule.Input.WEIGHTS_AXIS0 || role == OpRule.Input.WEIGHTS_AXIS3)) {
                    weights.quantize(e, t, role, op, opIndex);
                }
            }
            int biasIndex = LayerBiases.biasInput(rule);
            if (biasIndex >= 0) {
                biases.quantize(e, op, biasIndex, weights.get(op.input(1)));
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
        if (weights.gptqLayers() > 0) {
            notes.add("weights rounded for least output error (GPTQ) in " + weights.gptqLayers() + " layers");
        }
        if (weights.perTensorLayers() > 0) {
            notes.add("int8 weights per tensor in " + weights.perTensorLayers()
                    + " layers (per channel measured no better)");
        }
        if (biases.corrected() > 0) {
            notes.add("bias corrected for weight rounding in " + biases.corrected() + " layers");
        }
        return new Result(e.build(), quantizedOps, notes);
    }
}
