package io.qbridge.tools;

import io.qbridge.QbridgeException;
import io.qbridge.UnsupportedModelException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.ModelReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code qbridge inspect}: what a model holds and what running it costs. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model's operators, tensors (type, shape, quantization), size, MACs and arena size.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The .tflite model.")
    java.nio.file.Path model;

    @Option(names = "--tensors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "List every tensor (default: ${DEFAULT-VALUE}).")
    boolean listTensors;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommonOptions.requireFile(model, "model");
        PrintWriter out = spec.commandLine().getOut();
        Graph g = ModelReader.read(model);
        out.printf("model    %s (%,d bytes)%s%n", model, Files.size(model),
                g.description() == null || g.description().isEmpty() ? "" : ", \"" + g.description() + "\"");
        for (int i = 0; i < g.inputs().length; i++) {
            out.printf("input  %d %s%n", i, describe(g.input(i)));
        }
        for (int i = 0; i < g.outputs().length; i++) {
            out.printf("output %d %s%n", i, describe(g.output(i)));
        }
        out.printf("operators (%d)%n", g.operators().size());
        for (Operator op : g.operators()) {
            out.printf("  %3d %-22s in %s  out %s%n", op.index(), op.opName(), Arrays.toString(op.inputs()),
                    Arrays.toString(op.outputs()));
        }
        if (listTensors) {
            out.printf("tensors (%d)%n", g.tensors().size());
            for (TensorSpec t : g.tensors()) {
                out.printf("  %3d %s%n", t.index(), describe(t));
            }
        }
        long weights = g.tensors().stream().filter(TensorSpec::isConstant).mapToLong(TensorSpec::byteSize).sum();
        out.printf("weights  %,d bytes in constants%n", weights);
        try {
            Plan plan = Planner.plan(g);
            out.printf("MACs     %,d per inference%n", plan.macs());
            out.printf("arena    %,d bytes (lower bound %,d: the largest set of tensors alive at once)%n",
                    plan.arenaBytes(), plan.arenaLowerBound());
        } catch (UnsupportedModelException e) {
            out.println("not runnable: qbridge lacks");
            e.problems().forEach(problem -> out.println("  " + problem));
        } catch (QbridgeException e) {
            out.println("not runnable: " + e.getMessage());
        }
        out.flush();
        return 0;
    }

    static String describe(TensorSpec t) {
        StringBuilder s = new StringBuilder();
        s.append(t.name().isEmpty() ? "(unnamed)" : t.name()).append(' ').append(t.type()).append(' ')
                .append(Arrays.toString(t.shape()));
        QuantParams q = t.quant();
        if (q.isQuantized()) {
            if (q.isPerChannel()) {
                float min = Float.MAX_VALUE;
                float max = 0;
                for (float f : q.scales()) {
                    min = Math.min(min, f);
                    max = Math.max(max, f);
                }
                s.append(String.format(" per-channel axis %d, %d scales in [%.6g, %.6g]", q.axis(), q.channelCount(),
                        min, max));
            } else {
                s.append(String.format(" scale %.6g zero point %d", q.scale(), q.zeroPoint()));
            }
        }
        if (t.isConstant()) {
            s.append(String.format(" const %,d bytes", t.byteSize()));
        }
        return s.toString();
    }
}
