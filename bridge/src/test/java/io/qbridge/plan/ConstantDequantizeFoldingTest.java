package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Weights stored as int8 (per channel) or float16 behind a DEQUANTIZE run as float weights. */
class ConstantDequantizeFoldingTest {

    /** FULLY_CONNECTED [1,2] x [3,2]^T with weights w = scale[o] * q. */
    static Graph model(boolean half) {
        GraphBuilder b = new GraphBuilder();
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE);
        int stored;
        if (half) {
            // 1.0, -2.0, 0.5, 0.25, 3.0, -1.5 in IEEE half precision
            short[] h = {0x3C00, (short) 0xC000, 0x3800, 0x3400, 0x4200, (short) 0xBE00};
            ByteBuffer buf = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            for (short s : h) {
                buf.putShort(s);
            }
            stored = b.constantBytes("w16", DataType.FLOAT16, new int[] {3, 2}, QuantParams.NONE, buf.array());
        } else {
            stored = b.constantQuantized("w8", DataType.INT8, new int[] {3, 2},
                    QuantParams.perChannel(new float[] {0.5f, 0.25f, 1.5f}, new int[3], 0), new int[] {2, -4, 2, 1, 2, -1});
        }
        int w = b.tensor("w", DataType.FLOAT32, new int[] {3, 2}, QuantParams.NONE);
        b.op(BuiltinOperator.DEQUANTIZE, new int[] {stored}, new int[] {w}, new OpOptions.Dequantize());
        int out = b.tensor("y", DataType.FLOAT32, new int[] {1, 3}, QuantParams.NONE);
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, -1}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        b.output(out);
        return b.build();
    }

    @Test
    void int8PerChannelAndFloat16WeightsFoldToTheSameFloats() {
        for (boolean half : new boolean[] {false, true}) {
            Graph g = ModelReader.read(ModelWriter.toByteBuffer(model(half)));
            Graph folded = ConstantDequantizeFolding.fold(g);
            assertEquals(1, folded.operators().size());
            assertEquals("FULLY_CONNECTED", folded.operators().get(0).opName());
            float[] y = ModelRunner.runFloats(g, Interpreter.Backend.JAVA, 1, new float[] {1f, 2f});
            // weights [[1, -2], [0.5, 0.25], [3, -1.5]]
            assertArrayEquals(new float[] {-3f, 1f, 0f}, y, 0f, half ? "float16" : "int8");
        }
    }
}
