package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.converter.calibration.InputCovariance;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The weights of the quantized CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers. uint8: asymmetric
 * per tensor, from the model's FAKE_QUANT or recorded range where it has one. int8: symmetric;
 * FULLY_CONNECTED per tensor (as the spec says) and {@link FullyConnectedClipping clipped}; convolutions
 * per channel, or per tensor where that measures as good. Then rounded by {@link Gptq} where the
 * layer's input covariance is known. Weights shared by several layers are quantized once.
 */
final class LayerWeights {

    private static final Logger LOG = Logger.getLogger(LayerWeights.class.getName());

    private final Graph g;
    private final DataType type;
    private final RangeHints hints;
    private final Map<Integer, ChannelMoments> moments;
    private final Map<Integer, InputCovariance.Moments> covariances;
    private final double perTensorTolerance;
    private final boolean fullyConnectedClipping;
    private final List<String> notes;
    /** Quantized weights by tensor of g. */
    private final Map<Integer, WeightQuantizer.Quantized> quantized = new HashMap<>();
    private int perTensorLayers;
    private int gptqLayers;

    /**
     * @param moments     input channel moments by tensor (E[x^2] weighs the rounding errors)
     * @param covariances input covariances by operator index, for GPTQ
     * @param perTensorTolerance      {@link Quantizer.Options#perTensorTolerance}
     * @param fullyConnectedClipping  {@link Quantizer.Options#fullyConnectedClipping}
     * @param notes       where clipping is noted
     */
    LayerWeights(Graph g, DataType type, RangeHints hints, Map<Integer, ChannelMoments> moments,
                 Map<Integer, InputCovariance.Moments> covariances, double perTensorTolerance,
                 boolean fullyConnectedClipping, List<String> notes) {
        this.g = g;
        this.type = type;
        this.hints = hints;
        this.moments = moments;
        this.covariances = covariances;
        this.perTensorTolerance = perTensorTolerance;
        this.fullyConnectedClipping = fullyConnectedClipping;
        this.notes = notes;
    }

    /** Quantizes weights {@code t} of {@code op} (operator {@code opIndex} of g) into e, unless already done. */
    void quantize(EditableGraph e, int t, OpRule.Input role, EditableGraph.Op op, int opIndex) {
        quantized.computeIfAbsent(t, w -> quantizeNew(e, w, role, op, opIndex));
    }

    /** The quantized weights of tensor {@code t}, or null. */
    WeightQuantizer.Quantized get(int t) {
        return quantized.get(t);
    }

    /** Layers whose int8 convolution weights are per tensor. */
    int perTensorLayers() {
        return perTensorLayers;
    }

    /** Layers whose weights GPTQ rounded. */
    int gptqLayers() {
        return gptqLayers;
    }

    private WeightQuantizer.Quantized quantizeNew(EditableGraph e, int t, OpRule.Input role, EditableGraph.Op op,
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
            if (fullyConnectedClipping && m != null && m.meanSquare() != null && m.meanSquare().length == spec.dim(1)) {
                q = FullyConnectedClipping.clip(spec.shape(), w, q, m.meanSquare(), notes);
            }
        } else {
            q = WeightQuantizer.symmetricPerChannel(w, spec.shape(), role == OpRule.Input.WEIGHTS_AXIS3 ? 3 : 0);
            ChannelMoments m = moments.get(op.input(0));
            if (m != null && m.meanSquare() != null) {
                WeightQuantizer.Quantized perTensor = WeightQuantizer.symmetricPerTensor(w);
                double ePc = weightedError(op.code, spec.shape(), w, q, m.meanSquare());
                double ePt = weightedError(op.code, spec.shape(), w, perTensor, m.meanSquare());
                LOG.fine(() -> String.format(Locale.ROOT, "%s per-tensor/per-channel error %.3f", spec.name(),
                        ePt / ePc));
                if (ePt <= perTensorTolerance * ePc) {
                    q = perTensor;
                    perTensorLayers++;
                }
            }
        }
        WeightQuantizer.Quantized rounded = Gptq.roundLayer(op.code, spec, w, q, cov, type);
        if (rounded != q) {
            gptqLayers++;
        }
        e.setTensor(t, type, rounded.params(), Constants.ofBytes(rounded.values()));
        return rounded;
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
}
