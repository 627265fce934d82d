package io.qbridge.converter.rewrite;

import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;

/**
 * Reading and replacing the fused activation of an operator's options. CONCATENATION is left out:
 * TFLite's quantized kernel refuses a fused activation there.
 */
final class Activations {
    private Activations() {
    }

    /** The fused activation, or null when the options have none. */
    static Activation of(OpOptions o) {
        if (o instanceof OpOptions.Conv2D c) {
            return c.activation();
        } else if (o instanceof OpOptions.DepthwiseConv2D d) {
            return d.activation();
        } else if (o instanceof OpOptions.FullyConnected f) {
            return f.activation();
        } else if (o instanceof OpOptions.Pool2D p) {
            return p.activation();
        } else if (o instanceof OpOptions.Add a) {
            return a.activation();
        } else if (o instanceof OpOptions.Sub s) {
            return s.activation();
        } else if (o instanceof OpOptions.Mul m) {
            return m.activation();
        }
        return null;
    }

    /** The same options with another fused activation; null when the options have no activation. */
    static OpOptions with(OpOptions o, Activation a) {
        if (o instanceof OpOptions.Conv2D c) {
            return new OpOptions.Conv2D(c.padding(), c.strideW(), c.strideH(), a, c.dilationW(), c.dilationH());
        } else if (o instanceof OpOptions.DepthwiseConv2D d) {
            return new OpOptions.DepthwiseConv2D(d.padding(), d.strideW(), d.strideH(), d.depthMultiplier(), a,
                    d.dilationW(), d.dilationH());
        } else if (o instanceof OpOptions.FullyConnected f) {
            return new OpOptions.FullyConnected(a, f.weightsFormat(), f.keepNumDims(), f.asymmetricQuantizeInputs());
        } else if (o instanceof OpOptions.Pool2D p) {
            return new OpOptions.Pool2D(p.padding(), p.strideW(), p.strideH(), p.filterWidth(), p.filterHeight(), a);
        } else if (o instanceof OpOptions.Add x) {
            return new OpOptions.Add(a);
        } else if (o instanceof OpOptions.Sub x) {
            return new OpOptions.Sub(a);
        } else if (o instanceof OpOptions.Mul x) {
            return new OpOptions.Mul(a);
        }
        return null;
    }
}
