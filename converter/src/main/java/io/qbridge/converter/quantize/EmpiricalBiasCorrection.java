package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.backend.Executable;
import io.qbridge.backend.javaref.JavaBackend;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.report.TensorValues;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * Empirical bias correction of the quantized model itself (Nagel et al. 2019, section 4.2, and
 * Banner et al. 2019): rounding noise that passes through ReLU and clamps does not average out, it
 * shifts each channel's mean, and the shift grows layer after layer. Running the float and the
 * quantized model side by side on calibration samples measures, for every CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED, the mean difference of each output channel; its int32
 * bias absorbs it.
 */
public final class EmpiricalBiasCorrection {
    private EmpiricalBiasCorrection() {
    }

    /**
     * Corrects the layers one after the other, each with the corrections upstream already in place
     * (correcting all at once overshoots: a downstream layer's shift is partly its inputs' shift).
     *
     * @param floatGraph the float graph the quantized one was made from (tensor i = tensor i)
     * @return the corrected quantized graph (same tensor indices)
     */
    public static Graph apply(Graph floatGraph, Graph quantized, List<float[][]> samples, int threads,
                              TensorValues.InputWriter inputWriter) {
        List<Layer> layers = layers(floatGraph, quantized);
        double[][] floatMeans = means(floatGraph, floatGraph, layers, samples, threads, null);
        Graph q = quantized;
        for (int l = 0; l < layers.size(); l++) {
            double[][] qMeans = means(floatGraph, q, List.of(layers.get(l)), samples, threads, inputWriter);
            q = correct(q, layers.get(l), floatMeans[l], qMeans[0]);
        }
        return q;
    }

    private record Layer(Operator op, int output, int bias, int channels) {
    }

    private static List<Layer> layers(Graph fg, Graph qg) {
        List<Layer> layers = new ArrayList<>();
        for (Operator op : qg.operators()) {
            int code = op.builtinCode();
            if (code != BuiltinOperator.CONV_2D && code != BuiltinOperator.DEPTHWISE_CONV_2D
                    && code != BuiltinOperator.FULLY_CONNECTED) {
                continue;
            }
            int out = op.output(0);
            int bias = op.input(2);
            TensorSpec o = qg.tensor(out);
            if (bias < 0 || out >= fg.tensors().size() || qg.tensor(bias).type() != DataType.INT32
                    || !o.type().isQuantizedInteger() || fg.tensor(out).type() != DataType.FLOAT32) {
                continue;
            }
            layers.add(new Layer(op, out, bias, o.dim(o.rank() - 1)));
        }
        return layers;
    }

    /** Per-channel means of the layers' outputs over the samples, in the float or the quantized graph. */
    /** @param inputWriter null for the float graph */
    private static double[][] means(Graph fg, Graph g, List<Layer> layers, List<float[][]> samples, int threads,
                                    TensorValues.InputWriter inputWriter) {
        double[][] sums = new double[layers.size()][];
        long[] rows = new long[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            sums[l] = new double[layers.get(l).channels];
        }
        Plan plan = Planner.plan(g, true);
        int largest = 0;
        for (Layer l : layers) {
            largest = Math.max(largest, (int) g.tensor(l.output).elementCount());
        }
        float[] v = new float[largest];
        try (Executable ex = JavaBackend.INSTANCE.compile(plan, threads)) {
            for (float[][] sample : samples) {
                if (inputWriter == null) {
                    Calibrator.run(ex, g, sample);
                } else {
                    int[] in = g.inputs();
                    for (int i = 0; i < in.length; i++) {
                        inputWriter.write(ex.tensorBuffer(in[i]), g.tensor(in[i]), sample[i]);
                    }
                    ex.run();
                }
                for (int l = 0; l < layers.size(); l++) {
                    Layer layer = layers.get(l);
                    int n = TensorValues.read(ex.tensorBuffer(layer.output), g.tensor(layer.output), v);
                    double[] s = sums[l];
                    int c = layer.channels;
                    for (int i = 0; i < n; i++) {
                        s[i % c] += v[i];
                    }
                    rows[l] += n / c;
                }
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            for (int c = 0; c < sums[l].length; c++) {
                sums[l][c] /= Math.max(1, rows[l]);
            }
        }
        return sums;
    }

    private static Graph correct(Graph qg, Layer layer, double[] floatMean, double[] quantizedMean) {
        TensorSpec bias = qg.tensor(layer.bias);
        int[] b = Constants.ints(bias);
        QuantParams bq = bias.quant();
        if (b.length != layer.channels) {
            return qg;
        }
        double[] scales = biasScales(qg, layer, bq);
        if (scales == null) {
            return qg;
        }
        for (int c = 0; c < b.length; c++) {
            double shift = floatMean[c] - quantizedMean[c];
            double scale = scales[c];
            long corrected = b[c] + Math.round(shift / scale);
            b[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, corrected));
        }
        EditableGraph e = new EditableGraph(qg);
        e.setTensor(layer.bias, DataType.INT32, bq, Constants.of(b));
        return e.build();
    }

    /**
     * The bias's scale per output channel: its own, or, for per-channel int8 biases written without
     * scales, input scale x weight scale as TFLite derives it. Null when neither is known.
     */
    static double[] biasScales(Graph qg, Layer layer, QuantParams bq) {
        double[] scales = new double[layer.channels];
        if (bq.isQuantized()) {
            for (int c = 0; c < scales.length; c++) {
                scales[c] = bq.isPerChannel() ? bq.scale(c) : bq.scale();
            }
            return scales;
        }
        QuantParams in = qg.tensor(layer.op.input(0)).quant();
        QuantParams w = qg.tensor(layer.op.input(1)).quant();
        if (!in.isQuantized() || !w.isQuantized() || (w.isPerChannel() && w.channelCount() != scales.length)) {
            return null;
        }
        for (int c = 0; c < scales.length; c++) {
            scales[c] = (double) in.scale() * (w.isPerChannel() ? w.scale(c) : w.scale());
        }
        return scales;
    }
}
