package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.quantize.EmpiricalBiasCorrection;
import io.qbridge.converter.quantize.Quantizer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.converter.report.TensorValues;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmpiricalBiasCorrectionTest {

    /**
     * int8 per-channel layers write their int32 biases without scales (TFLite derives them): the
     * correction must derive input scale x weight scale itself, not skip those layers. A shift put
     * into the first conv's biases must be mostly taken out again.
     */
    @Test
    void correctsPerChannelInt8BiasesWrittenWithoutScales() {
        Graph g = TestModels.smallCnn(1);
        CalibrationData cal = TestModels.uniformSamples(g, 20, -1, 1, 2);
        Map<Integer, Range> ranges = new HashMap<>();
        Calibrator.calibrate(g, cal, false, 1, Progress.NONE).forEach((t, s) -> {
            if (s.seen()) {
                ranges.put(t, Observer.MINMAX.range(s, 256, 100));
            }
        });
        Graph q = Quantizer.quantize(g, ranges, new RangeHints(), Quantizer.Options.defaults(InferenceType.INT8))
                .graph();
        Operator conv = q.operators().stream().filter(op -> op.builtinCode()
                == io.qbridge.tflite.schema.BuiltinOperator.CONV_2D).findFirst().orElseThrow();
        TensorSpec bias = q.tensor(conv.input(2));
        assertFalse(bias.quant().isQuantized(), "per-channel int8 biases are written without scales");
        int[] original = Constants.ints(bias);
        float inputScale = q.tensor(conv.input(0)).quant().scale();
        io.qbridge.QuantParams w = q.tensor(conv.input(1)).quant();
        int[] shifted = original.clone();
        for (int c = 0; c < shifted.length; c++) {
            shifted[c] += Math.round(0.3 / (inputScale * w.scale(c)));   // +0.3 on every output channel
        }
        EditableGraph e = new EditableGraph(q);
        e.setTensor(conv.input(2), DataType.INT32, bias.quant(), Constants.of(shifted));
        Graph corrupted = e.build();

        Graph corrected = EmpiricalBiasCorrection.apply(g, corrupted, cal.samples(), 1,
                TensorValues.InputWriter.QUANTIZE);
        int[] after = Constants.ints(corrected.tensor(conv.input(2)));
        double before = 0;
        double remaining = 0;
        for (int c = 0; c < original.length; c++) {
            before += Math.abs((double) shifted[c] - original[c]);
            remaining += Math.abs((double) after[c] - original[c]);
        }
        assertTrue(remaining < 0.5 * before, "shift left " + remaining + " of " + before);
    }
}
