package io.qbridge.tflite;

import io.qbridge.InvalidModelException;
import io.qbridge.tflite.schema.BuiltinOptions;

import java.nio.ByteBuffer;

/**
 * Checks that a .tflite flatbuffer is structurally sound before any generated accessor reads it.
 * flatbuffers-java 2.0.8 has no verifier and its accessors follow offsets blindly, so without
 * this a corrupt file surfaces as an IndexOutOfBoundsException from deep inside generated code.
 * <p>
 * The rules are those of the C++ {@code flatbuffers::Verifier} that TFLite runs, applied to every
 * table, vector and string of qbridge's schema ({@code src/main/fbs/tflite.fbs}): every offset
 * positive and inside the buffer, tables and vtables inside the buffer and aligned, every present
 * field inside the buffer and aligned to its size, every vector's length inside the buffer,
 * strings zero-terminated, nested tables and union members verified by type. Two rules are
 * stricter than C++'s, because the Java accessors read vtable entries as signed 16-bit values:
 * vtable sizes and field offsets must be below 0x8000. Fields the schema does not know (newer
 * TFLite versions) are never read, so they are not checked.
 * <p>
 * A file whose tables share sub-tables could make verification quadratic; like the C++ verifier
 * we stop after {@link #MAX_TABLES} tables.
 */
final class Verifier {
    /** As the C++ verifier's default {@code max_tables}. */
    static final int MAX_TABLES = 1_000_000;

    private final ByteBuffer bb;
    private final int size;
    private int tables;

    private Verifier(ByteBuffer bb) {
        this.bb = bb;
        this.size = bb.limit();
    }

    /**
     * Verifies a whole model. {@code bb} must be little-endian with the flatbuffer starting at
     * index 0 (a slice), as ModelReader hands it over.
     *
     * @throws InvalidModelException naming the field path at fault, e.g.
     *                               {@code subgraphs[0].tensors[12].quantization.scale}
     */
    static void verify(ByteBuffer bb) {
        new Verifier(bb).model();
    }

    /** Where in the file a check is: a chain of field names and vector indices, built lazily. */
    private record Where(Where parent, String field, int index) {
        Where field(String name) {
            return new Where(this, name, -1);
        }

        Where element(int i) {
            return new Where(parent, field, i);
        }

        @Override
        public String toString() {
            String self = field + (index >= 0 ? "[" + index + "]" : "");
            return parent == null ? self : parent + "." + self;
        }
    }

    /** A verified table: its position, its vtable's position and size. */
    private record Table(int pos, int vtable, int vtableSize, Where where) {
    }

    private InvalidModelException invalid(Where where, String message) {
        return new InvalidModelException("malformed flatbuffer at " + where + ": " + message);
    }

    private boolean inside(long pos, long bytes) {
        return pos >= 0 && bytes >= 0 && pos + bytes <= size;
    }

    private void require(long pos, long bytes, int align, Where where, String what) {
        if (!inside(pos, bytes)) {
            throw invalid(where, what + " at byte " + pos + " (" + bytes + " bytes) lies outside the "
                    + size + "-byte file");
        }
        if (pos % align != 0) {
            throw invalid(where, what + " at byte " + pos + " is not aligned to " + align + " bytes");
        }
    }

    // ---- flatbuffers primitives -------------------------------------------------------------

    private Table table(long pos, Where where) {
        if (++tables > MAX_TABLES) {
            throw invalid(where, "more than " + MAX_TABLES + " tables; refusing to verify further");
        }
        require(pos, 4, 4, where, "table");
        long vtable = pos - bb.getInt((int) pos);
        require(vtable, 2, 2, where, "vtable");
        int vtableSize = bb.getShort((int) vtable) & 0xFFFF;
        if (vtableSize >= 0x8000 || (vtableSize & 1) != 0) {
            throw invalid(where, "vtable size " + vtableSize + " is odd or too large");
        }
        require(vtable, vtableSize, 2, where, "vtable");
        return new Table((int) pos, (int) vtable, vtableSize, where);
    }

    /** Absolute position of field {@code id} of a table, or -1 when the field is absent. */
    private long field(Table t, int id, String name) {
        int entry = 4 + 2 * id;
        if (entry + 2 > t.vtableSize) {
            return -1;
        }
        int offset = bb.getShort(t.vtable + entry);
        if (offset < 0) {
            throw invalid(t.where.field(name), "field offset " + (offset & 0xFFFF) + " is too large");
        }
        return offset == 0 ? -1 : (long) t.pos + offset;
    }

    private void scalar(Table t, int id, int bytes, String name) {
        long p = field(t, id, name);
        if (p >= 0) {
            require(p, bytes, bytes, t.where.field(name), "scalar field");
        }
    }

    /** Follows a uoffset stored at {@code pos}; returns the absolute target. */
    private long follow(long pos, Where where, String what) {
        require(pos, 4, 4, where, what + " offset");
        int offset = bb.getInt((int) pos);
        if (offset <= 0) {
            throw invalid(where, what + " offset " + Integer.toUnsignedString(offset) + " is not a forward offset");
        }
        long target = pos + offset;
        if (!inside(target, 1)) {
            throw invalid(where, what + " offset points to byte " + target + ", outside the " + size + "-byte file");
        }
        return target;
    }

    /** Verifies a vector field and returns its element count, or -1 when the field is absent. */
    private int vector(Table t, int id, int elementSize, String name) {
        long p = field(t, id, name);
        if (p < 0) {
            return -1;
        }
        Where where = t.where.field(name);
        return vectorAt(follow(p, where, "vector"), elementSize, where);
    }

    private int vectorAt(long start, int elementSize, Where where) {
        require(start, 4, 4, where, "vector length");
        int length = bb.getInt((int) start);
        if (length < 0 || !inside(start + 4, (long) length * elementSize)) {
            throw invalid(where, "vector of " + Integer.toUnsignedString(length) + " elements of " + elementSize
                    + " bytes at byte " + start + " runs past the end of the " + size + "-byte file");
        }
        return length;
    }

    private void string(Table t, int id, String name) {
        long p = field(t, id, name);
        if (p < 0) {
            return;
        }
        Where where = t.where.field(name);
        long start = follow(p, where, "string");
        int length = vectorAt(start, 1, where);
        long end = start + 4 + length;
        if (!inside(end, 1) || bb.get((int) end) != 0) {
            throw invalid(where, "string of " + length + " bytes at byte " + start + " is not zero-terminated");
        }
    }

    /** A nested table field, verified for its header; null when absent. */
    private Table child(Table t, int id, String name) {
        long p = field(t, id, name);
        if (p < 0) {
            return null;
        }
        Where where = t.where.field(name);
        return table(follow(p, where, "table"), where);
    }

    private interface TableCheck {
        void check(Table t);
    }

    private void tables(Table t, int id, String name, TableCheck check) {
        long p = field(t, id, name);
        if (p < 0) {
            return;
        }
        Where where = t.where.field(name);
        long start = follow(p, where, "vector");
        int n = vectorAt(start, 4, where);
        for (int i = 0; i < n; i++) {
            Where element = where.element(i);
            check.check(table(follow(start + 4 + 4L * i, element, "table"), element));
        }
    }

    // ---- qbridge's schema (field ids as in tflite.fbs) ----------------------------------------

    private void model() {
        Where root = new Where(null, "model", -1);
        if (size < 8) {
            throw invalid(root, size + " bytes is too short for a flatbuffer");
        }
        Table m = table(follow(0, root, "root table"), root);
        scalar(m, 0, 4, "version");
        tables(m, 1, "operator_codes", this::operatorCode);
        tables(m, 2, "subgraphs", this::subGraph);
        string(m, 3, "description");
        tables(m, 4, "buffers", this::buffer);
        vector(m, 5, 4, "metadata_buffer");
        tables(m, 6, "metadata", this::metadata);
        tables(m, 7, "signature_defs", this::signatureDef);
    }

    private void operatorCode(Table t) {
        scalar(t, 0, 1, "deprecated_builtin_code");
        string(t, 1, "custom_code");
        scalar(t, 2, 4, "version");
        scalar(t, 3, 4, "builtin_code");
    }

    private void subGraph(Table t) {
        tables(t, 0, "tensors", this::tensor);
        vector(t, 1, 4, "inputs");
        vector(t, 2, 4, "outputs");
        tables(t, 3, "operators", this::operator);
        string(t, 4, "name");
    }

    private void tensor(Table t) {
        vector(t, 0, 4, "shape");
        scalar(t, 1, 1, "type");
        scalar(t, 2, 4, "buffer");
        string(t, 3, "name");
        Table q = child(t, 4, "quantization");
        if (q != null) {
            quantization(q);
        }
        scalar(t, 5, 1, "is_variable");
        Table sparsity = child(t, 6, "sparsity");
        if (sparsity != null) {
            vector(sparsity, 0, 4, "traversal_order");
        }
        vector(t, 7, 4, "shape_signature");
        scalar(t, 8, 1, "has_rank");
    }

    private void quantization(Table q) {
        vector(q, 0, 4, "min");
        vector(q, 1, 4, "max");
        vector(q, 2, 4, "scale");
        vector(q, 3, 8, "zero_point");
        scalar(q, 4, 1, "details_type");
        long typePos = field(q, 4, "details_type");
        int type = typePos < 0 ? 0 : bb.get((int) typePos) & 0xFF;
        Table details = child(q, 5, "details");
        if (details != null && type == 1) {   // CustomQuantization
            vector(details, 0, 1, "custom");
        }
        scalar(q, 6, 4, "quantized_dimension");
    }

    private void operator(Table t) {
        scalar(t, 0, 4, "opcode_index");
        vector(t, 1, 4, "inputs");
        vector(t, 2, 4, "outputs");
        scalar(t, 3, 1, "builtin_options_type");
        long typePos = field(t, 3, "builtin_options_type");
        int type = typePos < 0 ? 0 : bb.get((int) typePos) & 0xFF;
        Table options = child(t, 4, "builtin_options");
        if (options != null) {
            builtinOptions(options, type);
        }
        vector(t, 5, 1, "custom_options");
        scalar(t, 6, 1, "custom_options_format");
        vector(t, 7, 1, "mutating_variable_inputs");
        vector(t, 8, 4, "intermediates");
    }

    /**
     * Verifies an options table by its union type: tables of scalars field by field (widths from
     * TFLite's schema, {@link OptionsTables}), ReshapeOptions and SqueezeOptions with their [int]
     * vector. The few other non-scalar tables (and members newer than the schema) are never read.
     */
    private void builtinOptions(Table o, int type) {
        if (type == BuiltinOptions.ReshapeOptions) {
            vector(o, 0, 4, "new_shape");
        } else if (type == BuiltinOptions.SqueezeOptions) {
            vector(o, 0, 4, "squeeze_dims");
        } else {
            int[] widths = OptionsTables.scalarWidths(type);
            if (widths != null) {
                for (int id = 0; id < widths.length; id++) {
                    scalar(o, id, widths[id], OptionsTables.name(type) + " field " + id);
                }
            }
        }
    }

    private void buffer(Table t) {
        vector(t, 0, 1, "data");
        // TFLite's offset (id 1) and size (id 2) place data after the flatbuffer in files over
        // 2 GiB; qbridge maps no such files, so data stored that way would silently be missing.
        scalar(t, 1, 8, "offset");
        scalar(t, 2, 8, "size");
        long offset = field(t, 1, "offset");
        if (offset >= 0 && bb.getLong((int) offset) > 1) {
            throw invalid(t.where, "data stored outside the flatbuffer (offset " + bb.getLong((int) offset)
                    + "), which qbridge does not read");
        }
    }

    private void metadata(Table t) {
        string(t, 0, "name");
        scalar(t, 1, 4, "buffer");
    }

    private void signatureDef(Table t) {
        tables(t, 0, "inputs", this::tensorMap);
        tables(t, 1, "outputs", this::tensorMap);
        string(t, 2, "signature_key");
        string(t, 3, "deprecated_tag");
        scalar(t, 4, 4, "subgraph_index");
    }

    private void tensorMap(Table t) {
        string(t, 0, "name");
        scalar(t, 1, 4, "tensor_index");
    }
}
