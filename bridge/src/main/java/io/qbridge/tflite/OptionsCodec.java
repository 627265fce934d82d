package io.qbridge.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import io.qbridge.InvalidModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.schema.AddOptions;
import io.qbridge.tflite.schema.BuiltinOptions;
import io.qbridge.tflite.schema.ConcatenationOptions;
import io.qbridge.tflite.schema.Conv2DOptions;
import io.qbridge.tflite.schema.DepthwiseConv2DOptions;
import io.qbridge.tflite.schema.DequantizeOptions;
import io.qbridge.tflite.schema.FakeQuantOptions;
import io.qbridge.tflite.schema.FullyConnectedOptions;
import io.qbridge.tflite.schema.MulOptions;
import io.qbridge.tflite.schema.Operator;
import io.qbridge.tflite.schema.PadOptions;
import io.qbridge.tflite.schema.PadV2Options;
import io.qbridge.tflite.schema.Pool2DOptions;
import io.qbridge.tflite.schema.QuantizeOptions;
import io.qbridge.tflite.schema.ReducerOptions;
import io.qbridge.tflite.schema.ReshapeOptions;
import io.qbridge.tflite.schema.SoftmaxOptions;
import io.qbridge.tflite.schema.SqueezeOptions;
import io.qbridge.tflite.schema.SubOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;

/** Reads and writes the BuiltinOptions union of an operator as {@link OpOptions} records. */
final class OptionsCodec {
    private static final int MAX_STRIDE_OR_KERNEL = 1 << 16;

    private OptionsCodec() {
    }

    static OpOptions read(Operator op, Function<String, InvalidModelException> invalid) {
        int type = op.builtinOptionsType() & 0xFF;
        if (type == BuiltinOptions.NONE) {
            return OpOptions.None.INSTANCE;
        }
        switch (type) {
            case BuiltinOptions.Conv2DOptions: {
                Conv2DOptions o = (Conv2DOptions) table(op, new Conv2DOptions(), invalid);
                return new OpOptions.Conv2D(padding(o.padding(), invalid),
                        positive(o.strideW(), "stride_w", invalid), positive(o.strideH(), "stride_h", invalid),
                        activation(o.fusedActivationFunction(), invalid),
                        positive(o.dilationWFactor(), "dilation_w_factor", invalid),
                        positive(o.dilationHFactor(), "dilation_h_factor", invalid));
            }
            case BuiltinOptions.DepthwiseConv2DOptions: {
                DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) table(op, new DepthwiseConv2DOptions(), invalid);
                return new OpOptions.DepthwiseConv2D(padding(o.padding(), invalid),
                        positive(o.strideW(), "stride_w", invalid), positive(o.strideH(), "stride_h", invalid),
                        o.depthMultiplier(), activation(o.fusedActivationFunction(), invalid),
                        positive(o.dilationWFactor(), "dilation_w_factor", invalid),
                        positive(o.dilationHFactor(), "dilation_h_factor", invalid));
            }
            case BuiltinOptions.Pool2DOptions: {
                Pool2DOptions o = (Pool2DOptions) table(op, new Pool2DOptions(), invalid);
                return new OpOptions.Pool2D(padding(o.padding(), invalid),
                        positive(o.strideW(), "stride_w", invalid), positive(o.strideH(), "stride_h", invalid),
                        positive(o.filterWidth(), "filter_width", invalid),
                        positive(o.filterHeight(), "filter_height", invalid),
                        activation(o.fusedActivationFunction(), invalid));
            }
            case BuiltinOptions.FullyConnectedOptions: {
                FullyConnectedOptions o = (FullyConnectedOptions) table(op, new FullyConnectedOptions(), invalid);
                return new OpOptions.FullyConnected(activation(o.fusedActivationFunction(), invalid),
                        o.weightsFormat(), o.keepNumDims(), o.asymmetricQuantizeInputs());
            }
            case BuiltinOptions.SoftmaxOptions: {
                SoftmaxOptions o = (SoftmaxOptions) table(op, new SoftmaxOptions(), invalid);
                if (!(o.beta() > 0) || Float.isInfinite(o.beta())) {
                    throw invalid.apply("softmax beta is " + o.beta());
                }
                return new OpOptions.Softmax(o.beta());
            }
            case BuiltinOptions.ConcatenationOptions: {
                ConcatenationOptions o = (ConcatenationOptions) table(op, new ConcatenationOptions(), invalid);
                return new OpOptions.Concatenation(o.axis(), activation(o.fusedActivationFunction(), invalid));
            }
            case BuiltinOptions.AddOptions: {
                AddOptions o = (AddOptions) table(op, new AddOptions(), invalid);
                return new OpOptions.Add(activation(o.fusedActivationFunction(), invalid));
            }
            case BuiltinOptions.ReshapeOptions: {
                ReshapeOptions o = (ReshapeOptions) table(op, new ReshapeOptions(), invalid);
                int n = o.newShapeLength();
                if (n > 8 || n < 0) {
                    throw invalid.apply("reshape new_shape has " + n + " dimensions");
                }
                int[] shape = null;
                if (o.newShapeVector() != null) {
                    shape = new int[n];
                    for (int i = 0; i < n; i++) {
                        shape[i] = o.newShape(i);
                    }
                }
                return new OpOptions.Reshape(shape);
            }
            case BuiltinOptions.MulOptions: {
                MulOptions o = (MulOptions) table(op, new MulOptions(), invalid);
                return new OpOptions.Mul(activation(o.fusedActivationFunction(), invalid));
            }
            case BuiltinOptions.SubOptions: {
                SubOptions o = (SubOptions) table(op, new SubOptions(), invalid);
                return new OpOptions.Sub(activation(o.fusedActivationFunction(), invalid));
            }
            case BuiltinOptions.PadOptions:
                return new OpOptions.Pad();
            case BuiltinOptions.PadV2Options:
                return new OpOptions.PadV2();
            case BuiltinOptions.ReducerOptions: {
                ReducerOptions o = (ReducerOptions) table(op, new ReducerOptions(), invalid);
                return new OpOptions.Reducer(o.keepDims());
            }
            case BuiltinOptions.SqueezeOptions: {
                SqueezeOptions o = (SqueezeOptions) table(op, new SqueezeOptions(), invalid);
                int n = o.squeezeDimsLength();
                if (n > 8 || n < 0) {
                    throw invalid.apply("squeeze_dims has " + n + " entries");
                }
                int[] dims = new int[n];
                for (int i = 0; i < n; i++) {
                    dims[i] = o.squeezeDims(i);
                }
                return new OpOptions.Squeeze(dims);
            }
            case BuiltinOptions.DequantizeOptions:
                return new OpOptions.Dequantize();
            case BuiltinOptions.QuantizeOptions:
                return new OpOptions.Quantize();
            case BuiltinOptions.FakeQuantOptions: {
                FakeQuantOptions o = (FakeQuantOptions) table(op, new FakeQuantOptions(), invalid);
                if (!(o.min() <= o.max()) || o.numBits() < 2 || o.numBits() > 16) {
                    throw invalid.apply("fake quant range [" + o.min() + ", " + o.max() + "] with "
                            + o.numBits() + " bits is not valid");
                }
                return new OpOptions.FakeQuant(o.min(), o.max(), o.numBits(), o.narrowRange());
            }
            default:
                return new OpOptions.Unparsed(type, rawScalarFields(op, type));
        }
    }

    /** A table read field by field without generated accessors (the Verifier checked its bounds). */
    private static final class RawTable extends com.google.flatbuffers.Table {
        byte[] field(int id, int width) {
            int o = __offset(4 + 2 * id);
            if (o == 0) {
                return null;
            }
            byte[] v = new byte[width];
            bb.get(bb_pos + o, v);
            return v;
        }
    }

    /** The raw fields of a scalar-only options table, or null when it is not one qbridge can keep. */
    private static byte[][] rawScalarFields(Operator op, int type) {
        int[] widths = OptionsTables.scalarWidths(type);
        RawTable t = new RawTable();
        if (widths == null || op.builtinOptions(t) == null) {
            return null;
        }
        byte[][] fields = new byte[widths.length][];
        for (int id = 0; id < widths.length; id++) {
            fields[id] = t.field(id, widths[id]);
        }
        return fields;
    }

    /** Writes a kept options table back field by field, at the same field ids and widths. */
    private static int writeRaw(FlatBufferBuilder b, OpOptions.Unparsed o) {
        if (o.fields() == null) {
            String name = OptionsTables.name(o.unionType());
            throw new IllegalArgumentException("cannot write options table " + (name != null ? name : "of union type "
                    + o.unionType()) + ": qbridge keeps only tables of scalars from TFLite's schema");
        }
        b.startTable(o.fields().length);
        for (int id = o.fields().length - 1; id >= 0; id--) {
            byte[] v = o.fields()[id];
            if (v == null) {
                continue;
            }
            ByteBuffer le = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
            switch (v.length) {
                case 1 -> b.addByte(v[0]);
                case 2 -> b.addShort(le.getShort());
                case 4 -> b.addInt(le.getInt());
                case 8 -> b.addLong(le.getLong());
                default -> throw new IllegalArgumentException("field " + id + " of " + v.length + " bytes");
            }
            b.slot(id);
        }
        return b.endTable();
    }

    private static com.google.flatbuffers.Table table(Operator op, com.google.flatbuffers.Table t,
                                                     Function<String, InvalidModelException> invalid) {
        com.google.flatbuffers.Table r = op.builtinOptions(t);
        if (r == null) {
            throw invalid.apply("options type is set but the options table is missing");
        }
        return r;
    }

    private static int positive(int v, String field, Function<String, InvalidModelException> invalid) {
        if (v < 1 || v > MAX_STRIDE_OR_KERNEL) {
            throw invalid.apply(field + " is " + v + ", expected 1.." + MAX_STRIDE_OR_KERNEL);
        }
        return v;
    }

    private static Padding padding(byte code, Function<String, InvalidModelException> invalid) {
        if (code < 0 || code >= Padding.values().length) {
            throw invalid.apply("unknown padding code " + code);
        }
        return Padding.values()[code];
    }

    private static Activation activation(byte code, Function<String, InvalidModelException> invalid) {
        Activation a = Activation.fromCode(code);
        if (a == null) {
            throw invalid.apply("unknown fused activation code " + code);
        }
        return a;
    }

    /** Writes the options table and returns its offset (0 when the op has none). */
    static int write(FlatBufferBuilder b, OpOptions options) {
        if (options instanceof OpOptions.Conv2D o) {
            return Conv2DOptions.createConv2DOptions(b, (byte) o.padding().ordinal(), o.strideW(), o.strideH(),
                    (byte) o.activation().code(), o.dilationW(), o.dilationH());
        } else if (options instanceof OpOptions.DepthwiseConv2D o) {
            return DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, (byte) o.padding().ordinal(), o.strideW(),
                    o.strideH(), o.depthMultiplier(), (byte) o.activation().code(), o.dilationW(), o.dilationH());
        } else if (options instanceof OpOptions.Pool2D o) {
            return Pool2DOptions.createPool2DOptions(b, (byte) o.padding().ordinal(), o.strideW(), o.strideH(),
                    o.filterWidth(), o.filterHeight(), (byte) o.activation().code());
        } else if (options instanceof OpOptions.FullyConnected o) {
            return FullyConnectedOptions.createFullyConnectedOptions(b, (byte) o.activation().code(),
                    (byte) o.weightsFormat(), o.keepNumDims(), o.asymmetricQuantizeInputs());
        } else if (options instanceof OpOptions.Softmax o) {
            return SoftmaxOptions.createSoftmaxOptions(b, o.beta());
        } else if (options instanceof OpOptions.Concatenation o) {
            return ConcatenationOptions.createConcatenationOptions(b, o.axis(), (byte) o.activation().code());
        } else if (options instanceof OpOptions.Add o) {
            return AddOptions.createAddOptions(b, (byte) o.activation().code(), true);
        } else if (options instanceof OpOptions.Reshape o) {
            int shape = o.newShape() == null ? 0 : ReshapeOptions.createNewShapeVector(b, o.newShape());
            return ReshapeOptions.createReshapeOptions(b, shape);
        } else if (options instanceof OpOptions.Mul o) {
            return MulOptions.createMulOptions(b, (byte) o.activation().code());
        } else if (options instanceof OpOptions.Sub o) {
            return SubOptions.createSubOptions(b, (byte) o.activation().code(), true);
        } else if (options instanceof OpOptions.Pad) {
            PadOptions.startPadOptions(b);
            return PadOptions.endPadOptions(b);
        } else if (options instanceof OpOptions.PadV2) {
            PadV2Options.startPadV2Options(b);
            return PadV2Options.endPadV2Options(b);
        } else if (options instanceof OpOptions.Reducer o) {
            return ReducerOptions.createReducerOptions(b, o.keepDims());
        } else if (options instanceof OpOptions.Squeeze o) {
            return SqueezeOptions.createSqueezeOptions(b, SqueezeOptions.createSqueezeDimsVector(b, o.squeezeDims()));
        } else if (options instanceof OpOptions.Dequantize) {
            DequantizeOptions.startDequantizeOptions(b);
            return DequantizeOptions.endDequantizeOptions(b);
        } else if (options instanceof OpOptions.Quantize) {
            QuantizeOptions.startQuantizeOptions(b);
            return QuantizeOptions.endQuantizeOptions(b);
        } else if (options instanceof OpOptions.FakeQuant o) {
            return FakeQuantOptions.createFakeQuantOptions(b, o.min(), o.max(), o.numBits(), o.narrowRange());
        } else if (options instanceof OpOptions.None) {
            return 0;
        } else if (options instanceof OpOptions.Unparsed o) {
            return writeRaw(b, o);
        }
        throw new IllegalArgumentException("cannot write options " + options
                + ": qbridge does not know that options table");
    }
}
