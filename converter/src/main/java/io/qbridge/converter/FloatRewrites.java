package io.qbridge.converter;

import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.converter.rewrite.ActivationFusion;
import io.qbridge.converter.rewrite.AffineFolding;
import io.qbridge.converter.rewrite.CrossLayerEqualization;
import io.qbridge.converter.rewrite.FakeQuantRemoval;
import io.qbridge.converter.rewrite.PointwiseToFullyConnected;
import io.qbridge.graph.Graph;
import io.qbridge.plan.ConstantDequantizeFolding;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first step of a conversion: the float graph rewritten into the one that is quantized. FAKE_QUANT
 * ranges are taken out into {@link RangeHints}, MUL/ADD folded into weights, activations fused, 1x1
 * convolutions on 1x1 inputs made FULLY_CONNECTED (int8), and layer pairs equalized on calibrated
 * channel ranges (cross-layer equalization).
 */
final class FloatRewrites {

    /**
     * @param graph              the rewritten float graph (compacted)
     * @param hints              the model's own ranges, by tensor of {@code graph}
     * @param counts             how many times each rewrite applied, by description
     * @param equalizationMillis time spent calibrating for equalization
     */
    record Rewritten(Graph graph, RangeHints hints, Map<String, Integer> counts, long equalizationMillis) {
    }

    private FloatRewrites() {
    }

    /** @param data calibration samples for equalization (null or empty: equalization without ranges) */
    static Rewritten apply(Graph floatModel, CalibrationData data, Converter.Options o, Progress progress) {
        Map<String, Integer> rewrites = new LinkedHashMap<>();
        EditableGraph e = new EditableGraph(ConstantDequantizeFolding.fold(floatModel));
        RangeHints hints = new RangeHints();
        rewrites.put("FAKE_QUANT ranges taken", FakeQuantRemoval.apply(e, hints));
        if (o.type() != InferenceType.WEIGHTS_ONLY) {
            if (o.foldAffine()) {
                rewrites.put("MUL/ADD folded into weights", AffineFolding.apply(e));
            }
            if (o.fuseActivations()) {
                rewrites.put("RELU fused", ActivationFusion.apply(e));
            }
            if (o.type() == InferenceType.INT8) {
                rewrites.put("1x1 CONV_2D on 1x1 input as FULLY_CONNECTED", PointwiseToFullyConnected.apply(e));
            }
        }
        EditableGraph.Compacted compacted = e.buildCompacted();
        Graph g = compacted.graph();
        hints = hints.remap(compacted.map());
        Calibrator.plan(g);   // refuses, all at once, ops the float runtime cannot run
        long calibrationStart = System.nanoTime();
        if (o.type() != InferenceType.WEIGHTS_ONLY && o.equalizes()) {
            // Equalization needs each channel's calibrated range (ReLU6 limits how far a channel may
            // be scaled); the scaled model is calibrated again after.
            Map<Integer, CrossLayerEqualization.ChannelRange> ranges = new HashMap<>();
            if (data != null && data.size() > 0) {
                boolean clip = o.type() == InferenceType.INT8 && o.equalizePercentile() < 100;
                Calibrator.calibrate(g, data, clip, o.threads(), progress).forEach((t, s) -> {
                    if (s.channelMax() != null) {
                        ranges.put(t, new CrossLayerEqualization.ChannelRange(s.channelMin(), s.channelMax(),
                                clip ? s.channelUpperPercentile(o.equalizePercentile()) : s.channelMax()));
                    }
                });
            }
            EditableGraph eq = new EditableGraph(g);
            rewrites.put("layer pairs equalized", CrossLayerEqualization.apply(eq, ranges,
                    o.type() == InferenceType.UINT8 ? CrossLayerEqualization.Mode.BALANCE_WEIGHTS
                            : CrossLayerEqualization.Mode.FILL_ACTIVATIONS));
            EditableGraph.Compacted c = eq.buildCompacted();
            g = c.graph();
            hints = hints.remap(c.map());
        }
        long equalizationMillis = (System.nanoTime() - calibrationStart) / 1_000_000;
        return new Rewritten(g, hints, rewrites, equalizationMillis);
    }
}
