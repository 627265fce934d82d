package io.qbridge.converter.report;

import io.qbridge.DataType;
import io.qbridge.backend.Executable;
import io.qbridge.backend.javaref.JavaBackend;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the float graph and its quantized rewrite side by side (Java backend, every tensor kept) and
 * measures, per operator output, how far the dequantized values are from the float ones. Tensor i
 * of the quantized graph must be tensor i of the float graph (the {@code Quantizer} keeps them).
 */
public final class QuantizationError {
    private QuantizationError() {
    }

    /** Per-layer errors, and the error of the graph's first output (for a SOFTMAX output: of its input, the logits). */
    public record Measured(List<LayerError> layers, double outputSqnrDb) {
    }

    public static Measured measure(Graph floatGraph, Graph quantized, List<float[][]> samples, int threads) {
        return measure(floatGraph, quantized, samples, threads, TensorValues.InputWriter.QUANTIZE);
    }

    public static Measured measure(Graph floatGraph, Graph quantized, List<float[][]> samples, int threads,
                                   TensorValues.InputWriter inputWriter) {
        Plan fp = Planner.plan(floatGraph, true);
        Plan qp = Planner.plan(quantized, true);
        int n = floatGraph.tensors().size();
        List<Operator> layers = new ArrayList<>();
        for (Operator op : quantized.operators()) {
            int t = op.output(0);
            if (t < n && fp.offset(t) >= 0 && qp.offset(t) >= 0 && floatGraph.tensor(t).type() == DataType.FLOAT32) {
                layers.add(op);
            }
        }
        int outputTensor = scoredOutput(floatGraph);
        double[] signal = new double[layers.size() + 1];
        double[] noise = new double[layers.size() + 1];
        int largest = 0;
        for (TensorSpec t : floatGraph.tensors()) {
            largest = Math.max(largest, (int) t.elementCount());
        }
        float[] f = new float[largest];
        float[] q = new float[largest];
        try (Executable fe = JavaBackend.INSTANCE.compile(fp, threads);
             Executable qe = JavaBackend.INSTANCE.compile(qp, threads)) {
            for (float[][] sample : samples) {
                Calibrator.run(fe, floatGraph, sample);
                int[] qin = quantized.inputs();
                for (int i = 0; i < qin.length; i++) {
                    inputWriter.write(qe.tensorBuffer(qin[i]), quantized.tensor(qin[i]), sample[i]);
                }
                qe.run();
                for (int l = 0; l <= layers.size(); l++) {
                    int t = l < layers.size() ? layers.get(l).output(0) : outputTensor;
                    if (t < 0 || qp.offset(t) < 0) {
                        continue;
                    }
                    int count = TensorValues.read(fe.tensorBuffer(t), floatGraph.tensor(t), f);
                    TensorValues.read(qe.tensorBuffer(t), quantized.tensor(t), q);
                    double s = 0;
                    double e = 0;
                    for (int i = 0; i < count; i++) {
                        s += (double) f[i] * f[i];
                        double d = (double) f[i] - q[i];
                        e += d * d;
                    }
                    signal[l] += s;
                    noise[l] += e;
                }
            }
        }
        List<LayerError> result = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Operator op = layers.get(l);
            TensorSpec t = quantized.tensor(op.output(0));
            result.add(new LayerError(op.index(), op.opName(), t.index(), floatGraph.tensor(t.index()).name(),
                    t.type().name(), LayerError.sqnr(signal[l], noise[l])));
        }
        return new Measured(result, LayerError.sqnr(signal[layers.size()], noise[layers.size()]));
    }

    /**
     * The float graph's scored output ({@link #scoredOutput}) on fixed samples, computed once, so
     * that many quantized candidates can be scored by running only them.
     */
    public static final class OutputReference {
        private final Graph floatGraph;
        private final List<float[][]> samples;
        private final int threads;
        private final TensorValues.InputWriter inputWriter;
        private final int tensor;
        private final List<float[]> expected = new ArrayList<>();

        public OutputReference(Graph floatGraph, List<float[][]> samples, int threads,
                               TensorValues.InputWriter inputWriter) {
            this.floatGraph = floatGraph;
            this.samples = samples;
            this.threads = threads;
            this.inputWriter = inputWriter;
            this.tensor = scoredOutput(floatGraph);
            try (Executable fe = JavaBackend.INSTANCE.compile(Planner.plan(floatGraph, true), threads)) {
                for (float[][] sample : samples) {
                    Calibrator.run(fe, floatGraph, sample);
                    float[] f = new float[(int) floatGraph.tensor(tensor).elementCount()];
                    TensorValues.read(fe.tensorBuffer(tensor), floatGraph.tensor(tensor), f);
                    expected.add(f);
                }
            }
        }

        /** SQNR (dB) of the quantized graph's scored output against the float one over the samples. */
        public double outputSqnrDb(Graph quantized) {
            Plan qp = Planner.plan(quantized, true);
            double signal = 0;
            double noise = 0;
            float[] q = new float[(int) floatGraph.tensor(tensor).elementCount()];
            try (Executable qe = JavaBackend.INSTANCE.compile(qp, threads)) {
                int[] qin = quantized.inputs();
                for (int s = 0; s < samples.size(); s++) {
                    float[][] sample = samples.get(s);
                    for (int i = 0; i < qin.length; i++) {
                        inputWriter.write(qe.tensorBuffer(qin[i]), quantized.tensor(qin[i]), sample[i]);
                    }
                    qe.run();
                    int count = TensorValues.read(qe.tensorBuffer(tensor), quantized.tensor(tensor), q);
                    float[] f = expected.get(s);
                    for (int i = 0; i < count; i++) {
                        signal += (double) f[i] * f[i];
                        double d = (double) f[i] - q[i];
                        noise += d * d;
                    }
                }
            }
            return LayerError.sqnr(signal, noise);
        }
    }

    /** The tensor whose error decides between observers: output 0, or the logits feeding a final SOFTMAX. */
    static int scoredOutput(Graph g) {
        int out = g.outputs()[0];
        for (Operator op : g.operators()) {
            if (op.output(0) == out && op.builtinCode() == BuiltinOperator.SOFTMAX) {
                return op.input(0);
            }
        }
        return out;
    }
}
