package io.qbridge.converter.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroundTruthTest {

    @Test
    void readsQuotedCellsSkipsAndLimits(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "file,wnid,tflite_index_1001,tflite_label\n"
                + "a.JPEG,n1,1,\"tench, Tinca tinca\"\n"
                + "b.JPEG,n2,5,\"say \"\"hi\"\"\"\n"
                + "c.JPEG,n3,7,x\n"
                + "d.JPEG,n4,9,y\n");
        List<GroundTruth.Sample> s = GroundTruth.read(csv, dir, "tflite_index_1001", 1, 2);
        assertEquals(2, s.size());
        assertEquals(dir.resolve("b.JPEG"), s.get(0).image());
        assertEquals(5, s.get(0).label());
        assertEquals(7, s.get(1).label());
        assertEquals(List.of("b.JPEG", "n2", "5", "say \"hi\""), GroundTruth.parseLine("b.JPEG,n2,5,\"say \"\"hi\"\"\""));
    }

    @Test
    void namesTheColumnsWhenTheLabelColumnIsMissing(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "file,label\na.png,3\n");
        IOException e = assertThrows(IOException.class, () -> GroundTruth.read(csv, dir, "tflite_index_1001", 0, 0));
        assertTrue(e.getMessage().contains("[file, label]"), e.getMessage());
    }

    @Test
    void topKIsBestFirstWithTiesToTheLowerIndex() {
        assertArrayEquals(new int[] {2, 0, 3}, Evaluator.topK(new float[] {0.5f, 0.1f, 0.9f, 0.5f}, 3));
    }
}
