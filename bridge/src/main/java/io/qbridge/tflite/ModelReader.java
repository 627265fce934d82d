package io.qbridge.tflite;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;
import io.qbridge.tflite.schema.BuiltinOptions;
import io.qbridge.tflite.schema.Model;
import io.qbridge.tflite.schema.OperatorCode;
import io.qbridge.tflite.schema.QuantizationParameters;
import io.qbridge.tflite.schema.SubGraph;
import io.qbridge.tflite.schema.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a .tflite flatbuffer into a validated {@link Graph}. Files are memory-mapped; constant
 * tensors are views into the mapping. Every offset, length, index, type and option is checked:
 * a malformed file gives an {@link InvalidModelException} naming what is wrong, never an
 * unchecked exception from the flatbuffers accessors.
 */
public final class ModelReader {
    /** TFLite's schema version; files of other versions are refused, as TFLite does. */
    public static final int SCHEMA_VERSION = 3;
    /** Largest tensor qbridge accepts, in bytes (Java arrays and buffers are int-indexed). */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 64;
    private static final int MAX_RANK = 8;

    private ModelReader() {
    }

    /** Memory-maps and reads a model file; messages about a malformed file name the file. */
    public static Graph read(Path path) throws IOException {
        ByteBuffer mapped = map(path);
        try {
            return read(mapped);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Memory-maps a model file read-only, little-endian. A missing file gives NoSuchFileException;
     * a directory, an empty file or one over 2 GiB an InvalidModelException naming the file.
     */
    public static ByteBuffer map(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new InvalidModelException(path + " is a directory, not a .tflite file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new InvalidModelException(path + " is empty, not a .tflite file");
            }
            if (size > Integer.MAX_VALUE) {
                throw new InvalidModelException(path + ": " + size + " bytes is larger than the 2 GiB a .tflite file can be");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
    }

    /** Reads a model held in memory; the buffer is not copied, so it must not change afterwards. */
    public static Graph read(ByteBuffer bytes) {
        ByteBuffer bb = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Parse(bb).graph();
    }

    /** The state of one parse: the buffer and where in the file we are, for error messages. */
    private static final class Parse {
        private final ByteBuffer bb;
        private final int size;
        private String where = "model header";

        Parse(ByteBuffer bb) {
            this.bb = bb;
            this.size = bb.remaining();
        }

        private InvalidModelException invalid(String message) {
            return new InvalidModelException(where + ": " + message);
        }

        /** A vector length read from the file, checked against the bytes that can hold it. */
        private int length(int length, int elementSize, String what) {
            if (length < 0 || (long) length * elementSize > size) {
                throw invalid(what + " claims " + Integer.toUnsignedString(length) + " elements, more than the "
                        + size + "-byte file can hold");
            }
            return length;
        }

        Graph graph() {
            if (size < 8) {
                throw invalid("file has " + size + " bytes; a .tflite flatbuffer has at least 8");
            }
            if (!Model.ModelBufferHasIdentifier(bb)) {
                byte[] id = new byte[4];
                bb.duplicate().position(4).get(id);
                throw invalid("not a TensorFlow Lite model: file identifier is '" + printable(id)
                        + "', expected 'TFL3'");
            }
            Verifier.verify(bb);
            try {
                return parse();
            } catch (InvalidModelException e) {
                throw e;
            } catch (RuntimeException e) {
                // The Verifier makes this unreachable; kept so that a gap in it still gives a clean error.
                throw new InvalidModelException(where + ": malformed flatbuffer (" + e.getClass().getSimpleName()
                        + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e);
            }
        }

        private Graph parse() {
            int root = bb.getInt(0);
            if (root < 8 || root > size - 4) {
                throw invalid("root table offset " + root + " is outside the file");
            }
            Model model = Model.getRootAsModel(bb);
            long version = model.version();
            if (version != SCHEMA_VERSION) {
                throw invalid("schema version " + version + ", expected " + SCHEMA_VERSION);
            }
            where = "model";
            int subgraphCount = length(model.subgraphsLength(), 4, "subgraphs");
            if (subgraphCount < 1) {
                throw invalid("no subgraph");
            }
            int bufferCount = length(model.buffersLength(), 4, "buffers");
            ByteBuffer[] buffers = readBuffers(model, bufferCount);
            int[][] codes = readOperatorCodes(model);
            String[] customCodes = readCustomCodes(model, codes.length);

            where = "subgraph 0";
            SubGraph sg = model.subgraphs(0);
            if (sg == null) {
                throw invalid("missing");
            }
            List<TensorSpec> tensors = readTensors(sg, buffers);
            int tensorCount = tensors.size();
            int[] inputs = readIndices(sg.inputsLength(), sg::inputs, tensorCount, "graph inputs");
            int[] outputs = readIndices(sg.outputsLength(), sg::outputs, tensorCount, "graph outputs");
            List<Operator> operators = readOperators(sg, codes, customCodes, tensorCount);
            demoteEmptyBuffersOfComputedTensors(tensors, operators, inputs);

            where = "model";
            String description = text(model.descriptionAsByteBuffer());
            List<Graph.Metadata> metadata = new ArrayList<>();
            int metadataCount = length(model.metadataLength(), 4, "metadata");
            for (int i = 0; i < metadataCount; i++) {
                where = "metadata " + i;
                io.qbridge.tflite.schema.Metadata m = model.metadata(i);
                long b = m.buffer();
                if (b >= bufferCount) {
                    throw invalid("buffer index " + b + " out of range (" + bufferCount + " buffers)");
                }
                ByteBuffer data = buffers[(int) b];
                String metadataName = text(m.nameAsByteBuffer());
                metadata.add(new Graph.Metadata(metadataName == null ? "" : metadataName,
                        data == null ? ByteBuffer.allocate(0) : data));
            }
            Graph graph = new Graph(tensors, operators, inputs, outputs, description, metadata);
            GraphValidator.validateDataflow(graph);
            return graph;
        }

        /**
         * A zero-element tensor with an empty data vector is a constant (e.g. an empty paddings
         * list) unless an operator writes it or it is fed as a graph input.
         */
        private static void demoteEmptyBuffersOfComputedTensors(List<TensorSpec> tensors, List<Operator> operators,
                                                                int[] inputs) {
            boolean[] computed = new boolean[tensors.size()];
            for (int in : inputs) {
                computed[in] = true;
            }
            for (Operator op : operators) {
                for (int k = 0; k < op.outputCount(); k++) {
                    computed[op.output(k)] = true;
                }
            }
            for (int i = 0; i < computed.length; i++) {
                TensorSpec t = tensors.get(i);
                if (computed[i] && t.isConstant() && t.elementCount() == 0) {
                    tensors.set(i, new TensorSpec(i, t.name(), t.type(), t.shape(), t.quant(), null, t.isVariable()));
                }
            }
        }

        private ByteBuffer[] readBuffers(Model model, int count) {
            ByteBuffer[] buffers = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                where = "buffer " + i;
                io.qbridge.tflite.schema.Buffer b = model.buffers(i);
                if (b == null) {
                    continue;
                }
                // A present but empty data vector stays an empty buffer: readTensors decides whether
                // it is a zero-element constant or (TFLite's convention) no data at all.
                ByteBuffer data = b.dataAsByteBuffer();
                if (data != null) {
                    length(data.remaining(), 1, "data");
                    buffers[i] = data.slice().order(ByteOrder.LITTLE_ENDIAN);
                }
            }
            return buffers;
        }

        private int[][] readOperatorCodes(Model model) {
            int count = length(model.operatorCodesLength(), 4, "operator codes");
            int[][] codes = new int[count][];
            for (int i = 0; i < count; i++) {
                where = "operator code " + i;
                OperatorCode oc = model.operatorCodes(i);
                if (oc == null) {
                    throw invalid("missing");
                }
                // TFLite's rule: the larger of the two fields is the op code (files written before
                // builtin_code existed leave it 0; ops numbered past 127 store 127 in the byte field).
                int code = Math.max(oc.deprecatedBuiltinCode(), oc.builtinCode());
                // Codes past qbridge's schema are newer TFLite ops: well formed, reported by the
                // planner as unsupported (BUILTIN_<code>), not as a malformed file.
                if (code < 0) {
                    throw invalid("builtin operator code " + code + " is negative");
                }
                codes[i] = new int[] {code, oc.version()};
            }
            return codes;
        }

        private String[] readCustomCodes(Model model, int count) {
            String[] names = new String[count];
            for (int i = 0; i < count; i++) {
                where = "operator code " + i;
                names[i] = text(model.operatorCodes(i).customCodeAsByteBuffer());
            }
            return names;
        }

        private List<TensorSpec> readTensors(SubGraph sg, ByteBuffer[] buffers) {
            int count = length(sg.tensorsLength(), 4, "tensors");
            List<TensorSpec> tensors = new ArrayList<>(count);
            Tensor t = new Tensor();
            for (int i = 0; i < count; i++) {
                where = "tensor " + i;
                sg.tensors(t, i);
                String name = text(t.nameAsByteBuffer());
                if (name != null) {
                    where = "tensor " + i + " '" + io.qbridge.graph.Printable.of(name) + "'";
                }
                DataType type = DataType.fromTfliteCode(t.type());
                if (type == null) {
                    throw invalid("unknown tensor type code " + t.type());
                }
                int rank = length(t.shapeLength(), 4, "shape");
                if (rank > MAX_RANK) {
                    throw invalid("rank " + rank + " is more than the " + MAX_RANK + " qbridge supports");
                }
                int[] shape = new int[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = t.shape(d);
                    if (shape[d] < 0) {
                        throw invalid("dimension " + d + " is " + shape[d] + " (dynamic shapes are not supported)");
                    }
                    elements *= shape[d];
                    if (elements > MAX_TENSOR_BYTES) {
                        throw invalid("shape " + java.util.Arrays.toString(java.util.Arrays.copyOf(shape, d + 1))
                                + " has more elements than a tensor can hold");
                    }
                }
                if (type.byteSize() > 0 && elements * type.byteSize() > MAX_TENSOR_BYTES) {
                    throw invalid("tensor of " + elements + " " + type + " elements is too large");
                }
                if (t.sparsity() != null) {
                    throw invalid("sparse tensors are not supported");
                }
                long bufferIndex = t.buffer();
                if (bufferIndex >= buffers.length && !(bufferIndex == 0 && buffers.length == 0)) {
                    throw invalid("buffer index " + bufferIndex + " out of range (" + buffers.length + " buffers)");
                }
                ByteBuffer data = buffers.length == 0 ? null : buffers[(int) bufferIndex];
                if (data != null && data.remaining() == 0 && elements != 0) {
                    data = null;   // TFLite: an empty buffer means the tensor has no constant data
                }
                if (data != null && type.byteSize() > 0 && data.remaining() != elements * type.byteSize()) {
                    throw invalid("buffer " + bufferIndex + " has " + data.remaining() + " bytes, the shape "
                            + java.util.Arrays.toString(shape) + " of " + type + " needs " + elements * type.byteSize());
                }
                QuantParams quant = readQuant(t.quantization(), type, shape);
                tensors.add(new TensorSpec(i, name, type, shape, quant, data, t.isVariable()));
            }
            return tensors;
        }

        private QuantParams readQuant(QuantizationParameters q, DataType type, int[] shape) {
            if (q == null) {
                return QuantParams.NONE;
            }
            if (q.detailsType() != 0) {
                throw invalid("custom quantization details are not supported");
            }
            int scaleCount = length(q.scaleLength(), 4, "quantization scales");
            int zpCount = length(q.zeroPointLength(), 8, "quantization zero points");
            float[] min = readFloats(q.minLength(), q::min, "quantization min");
            float[] max = readFloats(q.maxLength(), q::max, "quantization max");
            if ((min == null) != (max == null) || min != null && min.length != max.length) {
                throw invalid("quantization min and max differ in length");
            }
            if (scaleCount == 0) {
                if (zpCount != 0) {
                    throw invalid("quantization has zero points but no scales");
                }
                return QuantParams.of(new float[0], new int[0], 0, min, max);
            }
            if (zpCount != scaleCount && zpCount != 0) {
                throw invalid("quantization has " + scaleCount + " scales but " + zpCount + " zero points");
            }
            int axis = q.quantizedDimension();
            if (scaleCount > 1 && shape.length == 1 && shape[0] == scaleCount) {
                // Some converters (TFLite Micro's person_detect) give a per-channel bias the
                // quantized dimension of its filter (3); a rank-1 tensor's channels can only be
                // along dimension 0, which is what TFLite Micro's kernels assume.
                axis = 0;
            }
            if (scaleCount > 1) {
                if (axis < 0 || axis >= shape.length) {
                    throw invalid("quantized dimension " + axis + " out of range for rank " + shape.length);
                }
                if (shape[axis] != scaleCount) {
                    throw invalid(scaleCount + " per-channel scales for dimension " + axis + " of size " + shape[axis]);
                }
            } else if (axis != 0 && (axis < 0 || axis >= Math.max(shape.length, 1))) {
                throw invalid("quantized dimension " + axis + " out of range for rank " + shape.length);
            }
            float[] scales = new float[scaleCount];
            int[] zeroPoints = new int[scaleCount];
            for (int c = 0; c < scaleCount; c++) {
                scales[c] = q.scale(c);
                if (!(scales[c] >= 0) || Float.isInfinite(scales[c])) {
                    throw invalid("quantization scale " + c + " is " + scales[c]);
                }
                long zp = zpCount == 0 ? 0 : q.zeroPoint(c);
                if (type.isQuantizedInteger() && (zp < type.minValue() || zp > type.maxValue())
                        || zp < Integer.MIN_VALUE || zp > Integer.MAX_VALUE) {
                    throw invalid("zero point " + zp + " does not fit " + type);
                }
                zeroPoints[c] = (int) zp;
            }
            return QuantParams.of(scales, zeroPoints, scaleCount > 1 ? axis : 0, min, max);
        }

        private float[] readFloats(int n, java.util.function.IntToDoubleFunction get, String what) {
            if (n == 0) {
                return null;
            }
            length(n, 4, what);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) get.applyAsDouble(i);
            }
            return v;
        }

        private int[] readIndices(int n, java.util.function.IntUnaryOperator get, int tensorCount, String what) {
            length(n, 4, what);
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = get.applyAsInt(i);
                if (v[i] < 0 || v[i] >= tensorCount) {
                    throw invalid(what + "[" + i + "] = " + v[i] + " is not a tensor index (0.." + (tensorCount - 1) + ")");
                }
            }
            return v;
        }

        private List<Operator> readOperators(SubGraph sg, int[][] codes, String[] customCodes, int tensorCount) {
            int count = length(sg.operatorsLength(), 4, "operators");
            List<Operator> ops = new ArrayList<>(count);
            io.qbridge.tflite.schema.Operator op = new io.qbridge.tflite.schema.Operator();
            for (int i = 0; i < count; i++) {
                where = "operator " + i;
                sg.operators(op, i);
                long codeIndex = op.opcodeIndex();
                if (codeIndex >= codes.length) {
                    throw invalid("opcode index " + codeIndex + " out of range (" + codes.length + " operator codes)");
                }
                int code = codes[(int) codeIndex][0];
                String custom = code == BuiltinOperator.CUSTOM ? customCodes[(int) codeIndex] : null;
                where = "operator " + i + " (" + Operator.opName(code, custom) + ")";
                int inCount = length(op.inputsLength(), 4, "inputs");
                int[] inputs = new int[inCount];
                for (int k = 0; k < inCount; k++) {
                    inputs[k] = op.inputs(k);
                    if (inputs[k] < -1 || inputs[k] >= tensorCount) {
                        throw invalid("input " + k + " = " + inputs[k] + " is not a tensor index (0.." + (tensorCount - 1) + ")");
                    }
                }
                int[] outputs = readIndices(op.outputsLength(), op::outputs, tensorCount, "outputs");
                checkOptionsType(code, op.builtinOptionsType() & 0xFF);
                OpOptions options = OptionsCodec.read(op, this::invalid);
                ops.add(new Operator(i, code, custom, codes[(int) codeIndex][1], inputs, outputs, options));
            }
            return ops;
        }

        /**
         * The options union member must be the one the op takes: a mismatch would make the op
         * read fields of another table. Members outside qbridge's schema are only allowed on
         * ops qbridge has no options record for (those ops are refused later as unsupported).
         */
        private void checkOptionsType(int code, int type) {
            if (type == BuiltinOptions.NONE) {
                return;
            }
            int expected = expectedOptionsType(code);
            boolean known = type < BuiltinOptions.names.length && !BuiltinOptions.names[type].isEmpty();
            if (expected == -1 ? known : type != expected) {
                throw invalid("builtin options are of union type " + type
                        + (known ? " (" + BuiltinOptions.names[type] + ")" : "") + ", but this operator takes "
                        + (expected == -1 ? "no options table qbridge knows" : BuiltinOptions.names[expected]));
            }
        }

        /** A flatbuffer string; malformed UTF-8 (names are only labels) becomes U+FFFD, not an error. */
        private static String text(ByteBuffer utf8) {
            return utf8 == null ? null : StandardCharsets.UTF_8.decode(utf8).toString();
        }

        private static String printable(byte[] id) {
            StringBuilder s = new StringBuilder();
            for (byte b : id) {
                s.append(b >= 32 && b < 127 ? (char) b : '?');
            }
            return s.toString();
        }
    }

    /** Type codes of the BuiltinOptions union that each builtin op may carry (besides none). */
    static int expectedOptionsType(int builtinCode) {
        switch (builtinCode) {
            case BuiltinOperator.CONV_2D: return BuiltinOptions.Conv2DOptions;
            case BuiltinOperator.DEPTHWISE_CONV_2D: return BuiltinOptions.DepthwiseConv2DOptions;
            case BuiltinOperator.AVERAGE_POOL_2D:
            case BuiltinOperator.MAX_POOL_2D:
            case BuiltinOperator.L2_POOL_2D: return BuiltinOptions.Pool2DOptions;
            case BuiltinOperator.FULLY_CONNECTED: return BuiltinOptions.FullyConnectedOptions;
            case BuiltinOperator.SOFTMAX: return BuiltinOptions.SoftmaxOptions;
            case BuiltinOperator.CONCATENATION: return BuiltinOptions.ConcatenationOptions;
            case BuiltinOperator.ADD: return BuiltinOptions.AddOptions;
            case BuiltinOperator.RESHAPE: return BuiltinOptions.ReshapeOptions;
            case BuiltinOperator.MUL: return BuiltinOptions.MulOptions;
            case BuiltinOperator.PAD: return BuiltinOptions.PadOptions;
            case BuiltinOperator.PADV2: return BuiltinOptions.PadV2Options;
            case BuiltinOperator.MEAN:
            case BuiltinOperator.SUM:
            case BuiltinOperator.REDUCE_MAX:
            case BuiltinOperator.REDUCE_MIN:
            case BuiltinOperator.REDUCE_PROD:
            case BuiltinOperator.REDUCE_ANY:
            case BuiltinOperator.REDUCE_ALL: return BuiltinOptions.ReducerOptions;
            case BuiltinOperator.SUB: return BuiltinOptions.SubOptions;
            case BuiltinOperator.SQUEEZE: return BuiltinOptions.SqueezeOptions;
            case BuiltinOperator.DEQUANTIZE: return BuiltinOptions.DequantizeOptions;
            case BuiltinOperator.QUANTIZE: return BuiltinOptions.QuantizeOptions;
            case BuiltinOperator.FAKE_QUANT: return BuiltinOptions.FakeQuantOptions;
            default: return -1;
        }
    }
}
