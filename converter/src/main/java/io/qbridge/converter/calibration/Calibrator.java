package io.qbridge.converter.calibration;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.backend.Executable;
import io.qbridge.backend.javaref.JavaBackend;
import io.qbridge.converter.ConversionException;
import io.qbridge.converter.observe.TensorStatistics;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the float graph on the Java backend over the calibration samples with every tensor kept
 * readable, and records what each float activation took: its min and max (first pass) and, when
 * asked, a histogram over that range (second pass).
 */
public final class Calibrator {
    private Calibrator() {
    }

    /** Statistics of every non-constant FLOAT32 tensor, by tensor index. */
    public static Map<Integer, TensorStatistics> calibrate(Graph floatGraph, CalibrationData data, boolean histograms,
                                                           int threads, Progress progress) {
        Plan plan = plan(floatGraph);
        Map<Integer, TensorStatistics> stats = new HashMap<>();
        for (TensorSpec t : floatGraph.tensors()) {
            if (!t.isConstant() && t.type() == DataType.FLOAT32 && plan.offset(t.index()) >= 0) {
                stats.put(t.index(), new TensorStatistics());
            }
        }
        for (io.qbridge.graph.Operator op : floatGraph.operators()) {
            int code = op.builtinCode();
            boolean convLike = code == io.qbridge.tflite.schema.BuiltinOperator.CONV_2D
                    || code == io.qbridge.tflite.schema.BuiltinOperator.DEPTHWISE_CONV_2D
                    || code == io.qbridge.tflite.schema.BuiltinOperator.FULLY_CONNECTED;
            TensorStatistics s = convLike ? stats.get(op.input(0)) : null;
            if (s != null && op.input(1) >= 0) {
                TensorSpec w = floatGraph.tensor(op.input(1));
                int channels = code == io.qbridge.tflite.schema.BuiltinOperator.FULLY_CONNECTED ? w.dim(w.rank() - 1)
                        : floatGraph.tensor(op.input(0)).dim(floatGraph.tensor(op.input(0)).rank() - 1);
                s.trackChannelMeans(channels);   // for bias correction
            }
        }
        try (Executable ex = JavaBackend.INSTANCE.compile(plan, threads)) {
            int largest = 0;
            for (int t : stats.keySet()) {
                largest = Math.max(largest, (int) floatGraph.tensor(t).elementCount());
            }
            float[] scratch = new float[largest];
            int total = data.size();
            for (int s = 0; s < total; s++) {
                progress.update("calibrating", s, total);
                run(ex, floatGraph, data.samples().get(s));
                for (Map.Entry<Integer, TensorStatistics> e : stats.entrySet()) {
                    int n = read(ex, floatGraph.tensor(e.getKey()), scratch);
                    e.getValue().observeRange(scratch, n);
                }
            }
            progress.update("calibrating", total, total);
            if (histograms) {
                stats.values().forEach(TensorStatistics::startHistogram);
                for (int s = 0; s < total; s++) {
                    progress.update("histograms ", s, total);
                    run(ex, floatGraph, data.samples().get(s));
                    for (Map.Entry<Integer, TensorStatistics> e : stats.entrySet()) {
                        int n = read(ex, floatGraph.tensor(e.getKey()), scratch);
                        e.getValue().observeHistogram(scratch, n);
                    }
                }
                progress.update("histograms ", total, total);
            }
        }
        return stats;
    }

    /** The plan of a float model for calibration, or a ConversionException listing what qbridge cannot run. */
    public static Plan plan(Graph floatGraph) {
        try {
            return Planner.plan(floatGraph, true);
        } catch (UnsupportedModelException e) {
            throw new ConversionException("cannot convert: the float model has operators qbridge cannot run",
                    e.problems());
        }
    }

    /** Copies one sample into the graph's inputs and runs it. */
    public static void run(Executable ex, Graph g, float[][] sample) {
        int[] inputs = g.inputs();
        if (sample.length != inputs.length) {
            throw new IllegalArgumentException("sample has " + sample.length + " inputs, the model " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            TensorSpec t = g.tensor(inputs[i]);
            if (sample[i].length != t.elementCount()) {
                throw new IllegalArgumentException("sample input " + i + " has " + sample[i].length + " values, "
                        + t + " needs " + t.elementCount());
            }
            ex.tensorBuffer(inputs[i]).asFloatBuffer().put(sample[i]);
        }
        ex.run();
    }

    private static int read(Executable ex, TensorSpec t, float[] into) {
        FloatBuffer fb = ex.tensorBuffer(t.index()).asFloatBuffer();
        int n = fb.remaining();
        fb.get(into, 0, n);
        return n;
    }
}
