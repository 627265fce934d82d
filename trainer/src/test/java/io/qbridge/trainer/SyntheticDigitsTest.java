package io.qbridge.trainer;

import io.qbridge.image.ImageInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticDigitsTest {

    @Test
    void sameSeedSameImagesAndSplitsDiffer() {
        SyntheticDigits.Dataset a = SyntheticDigits.generate(7, SyntheticDigits.Split.TRAIN, 50);
        SyntheticDigits.Dataset b = SyntheticDigits.generate(7, SyntheticDigits.Split.TRAIN, 50);
        SyntheticDigits.Dataset test = SyntheticDigits.generate(7, SyntheticDigits.Split.TEST, 50);
        SyntheticDigits.Dataset otherSeed = SyntheticDigits.generate(8, SyntheticDigits.Split.TRAIN, 50);
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(a.labels(), test.labels(), "labels cycle 0..9 in every split");
        assertFalse(Arrays.equals(a.pixels(), test.pixels()));
        assertFalse(Arrays.equals(a.pixels(), otherSeed.pixels()));
        // a prefix of a larger set is the smaller set: sample i depends on i alone
        SyntheticDigits.Dataset longer = SyntheticDigits.generate(7, SyntheticDigits.Split.TRAIN, 80);
        assertArrayEquals(a.pixels(), Arrays.copyOf(longer.pixels(), a.pixels().length));
    }

    @Test
    void digitsAreBrightStrokesOnDarkBackground() {
        SyntheticDigits.Dataset d = SyntheticDigits.generate(1, SyntheticDigits.Split.TEST, 100);
        for (int i = 0; i < d.count(); i++) {
            int bright = 0;
            for (int p = 0; p < SyntheticDigits.PIXELS; p++) {
                if (d.pixel(i, p) > 150) {
                    bright++;
                }
            }
            // a stroke covers roughly 3-35% of the image; the background is dark
            assertTrue(bright > 20 && bright < 300, "image " + i + " (digit " + d.label(i) + ") has " + bright
                    + " bright pixels");
        }
    }

    @Test
    void inputIsTheImageInputMappingOfThePixels() {
        SyntheticDigits.Dataset d = SyntheticDigits.generate(3, SyntheticDigits.Split.TEST, 2);
        float[] x = new float[SyntheticDigits.PIXELS];
        d.input(1, x, 0);
        for (int p = 0; p < x.length; p++) {
            assertEquals((d.pixel(1, p) - 127.5f) / 127.5f, x[p]);
            assertTrue(x[p] >= -1f && x[p] <= 1f);
        }
    }

    /** The PNGs read back through the project's image preprocessing give the generator's pixels. */
    @Test
    void pngFilesAndLabelsRoundTripThroughImageInput(@TempDir Path dir) throws Exception {
        SyntheticDigits.Dataset d = SyntheticDigits.generate(5, SyntheticDigits.Split.CALIBRATION, 12);
        SyntheticDigits.write(d, dir);
        List<String> lines = Files.readAllLines(dir.resolve("labels.csv"));
        assertEquals("file,label", lines.get(0));
        assertEquals(13, lines.size());
        for (int i = 0; i < d.count(); i++) {
            String[] row = lines.get(i + 1).split(",");
            assertEquals(SyntheticDigits.fileName(i), row[0]);
            assertEquals(d.label(i), Integer.parseInt(row[1]));
            float[] px = ImageInput.pixels(ImageInput.read(dir.resolve(row[0])), 28, 28, 1);
            for (int p = 0; p < px.length; p++) {
                assertEquals(d.pixel(i, p), px[p], 1e-4f, "image " + i + " pixel " + p);
            }
        }
    }
}
