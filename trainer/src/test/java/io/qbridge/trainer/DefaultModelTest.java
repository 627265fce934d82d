package io.qbridge.trainer;

import io.qbridge.graph.Graph;
import io.qbridge.tflite.ModelReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultModelTest {
    private static DefaultModel.Settings small() {
        return new DefaultModel.Settings(Trainer.Config.defaults().withEpochs(1)
                .withArchitecture(new DigitCnn.Architecture(28, 4, 8, 16, 10)), 400, 20, 30);
    }

    @Test
    void trainsOnceThenReuses(@TempDir Path dir) throws Exception {
        DefaultModel.Result first = DefaultModel.trainOrReuse(dir, small(), null);
        assertFalse(first.reused());
        assertFalse(first.log().isEmpty());
        assertEquals(dir.resolve(DefaultModel.MODEL_FILE), first.model());
        Graph g = ModelReader.read(first.model());
        assertArrayEquals(new int[] {1, 28, 28, 1}, g.input(0).shape());
        assertEquals(Files.size(first.model()), first.modelBytes());
        List<String> test = Files.readAllLines(first.testLabels());
        assertEquals("file,label", test.get(0));
        assertEquals(31, test.size());
        assertEquals(21, Files.readAllLines(first.calibrationLabels()).size());
        assertTrue(Files.isRegularFile(first.testDir().resolve("00029.png")));
        assertEquals(10, Files.readAllLines(first.labels()).size());
        byte[] model = Files.readAllBytes(first.model());

        DefaultModel.Result again = DefaultModel.trainOrReuse(dir, small(), null);
        assertTrue(again.reused());
        assertEquals(first.heldOutAccuracy(), again.heldOutAccuracy());
        assertEquals(first.parameters(), again.parameters());
        assertArrayEquals(model, Files.readAllBytes(again.model()));

        // other settings: trained again, with fewer test images and no stale ones listed
        DefaultModel.Settings fewer = new DefaultModel.Settings(small().training(), 400, 20, 10);
        assertNotEquals(small().hash(), fewer.hash());
        DefaultModel.Result retrained = DefaultModel.trainOrReuse(dir, fewer, null);
        assertFalse(retrained.reused());
        assertEquals(11, Files.readAllLines(retrained.testLabels()).size());
        assertFalse(Files.exists(retrained.testDir().resolve("00029.png")));
    }

    /** The same settings make the same bytes, whatever the thread count: a cache key can ignore threads. */
    @Test
    void sameSettingsSameModelBytes(@TempDir Path dir) throws Exception {
        DefaultModel.Result a = DefaultModel.trainOrReuse(dir.resolve("a"),
                small().withTraining(small().training().withThreads(1)), null);
        DefaultModel.Result b = DefaultModel.trainOrReuse(dir.resolve("b"),
                small().withTraining(small().training().withThreads(2)), null);
        assertEquals(a.settingsHash(), b.settingsHash());
        assertArrayEquals(Files.readAllBytes(a.model()), Files.readAllBytes(b.model()));
        assertArrayEquals(Files.readAllBytes(a.testDir().resolve("00003.png")),
                Files.readAllBytes(b.testDir().resolve("00003.png")));
    }

    @Test
    void damagedStampMeansTrainAgain(@TempDir Path dir) throws Exception {
        DefaultModel.trainOrReuse(dir, small(), null);
        Files.writeString(dir.resolve(DefaultModel.STAMP_FILE), "settings.hash=" + small().hash() + "\n");
        assertFalse(DefaultModel.trainOrReuse(dir, small(), null).reused());
        assertTrue(DefaultModel.trainOrReuse(dir, small(), null).reused());
    }
}
