package io.qbridge.trainer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Handwriting-like digits 0-9 drawn procedurally: each digit is a few strokes (lines and elliptic
 * arcs, with style variants such as a 1 with or without its flag, an open or closed 4, a 7 with or
 * without a bar), bent by a smooth random warp, then sheared, rotated, scaled, moved, drawn with a
 * random anti-aliased stroke width and contrast, and covered with Gaussian noise and the odd faint
 * scratch. White on black, 28x28, 8-bit grayscale like MNIST.
 * <p>
 * Sample {@code i} of a split depends only on (seed, split, i): the splits never share a sample,
 * any thread count generates the same images, and so does any JVM (see {@link Rng}). Labels cycle
 * 0, 1, ..., 9 so every split is balanced.
 */
public final class SyntheticDigits {
    public static final int SIZE = 28;
    public static final int PIXELS = SIZE * SIZE;
    public static final int CLASSES = 10;

    /** Disjoint sample streams. */
    public enum Split {
        TRAIN(1), CALIBRATION(2), TEST(3);

        private final int family;

        Split(int family) {
            this.family = family;
        }
    }

    /** {@code count} images, row-major 8-bit pixels, one label each. */
    public record Dataset(byte[] pixels, int[] labels) {
        public int count() {
            return labels.length;
        }

        public int label(int i) {
            return labels[i];
        }

        /** Pixel p of image i, 0..255. */
        public int pixel(int i, int p) {
            return pixels[i * PIXELS + p] & 0xFF;
        }

        /**
         * Image i as the model's float input, (pixel - 127.5) / 127.5 in [-1, 1]: the mapping
         * io.qbridge.image.ImageInput applies to float inputs by default, so classify, eval and
         * calibration feed the exported model what it was trained on.
         */
        public void input(int i, float[] dst, int offset) {
            int base = i * PIXELS;
            for (int p = 0; p < PIXELS; p++) {
                dst[offset + p] = ((pixels[base + p] & 0xFF) - 127.5f) / 127.5f;
            }
        }
    }

    private SyntheticDigits() {
    }

    /** Samples 0..count-1 of a split. */
    public static Dataset generate(long seed, Split split, int count) {
        byte[] pixels = new byte[count * PIXELS];
        int[] labels = new int[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            labels[i] = i % CLASSES;
            render(new Rng(Rng.derive(seed, split.family, i)), labels[i], pixels, i * PIXELS);
        });
        return new Dataset(pixels, labels);
    }

    /**
     * Writes every image as {@code NNNNN.png} (8-bit grayscale, like MNIST's) and a
     * {@code labels.csv} (header {@code file,label}) into dir.
     */
    public static void write(Dataset data, Path dir) {
        try {
            Files.createDirectories(dir);
            IntStream.range(0, data.count()).parallel().forEach(i -> {
                BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
                // the raster, not setRGB: setRGB would convert through Java's linear gray color space
                WritableRaster raster = img.getRaster();
                for (int p = 0; p < PIXELS; p++) {
                    raster.setSample(p % SIZE, p / SIZE, 0, data.pixel(i, p));
                }
                try {
                    ImageIO.write(img, "png", dir.resolve(fileName(i)).toFile());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (Writer w = Files.newBufferedWriter(dir.resolve("labels.csv"), StandardCharsets.UTF_8)) {
                w.write("file,label\n");
                for (int i = 0; i < data.count(); i++) {
                    w.write(fileName(i) + "," + data.label(i) + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic digits to " + dir + ": " + e.getMessage(), e);
        }
    }

    public static String fileName(int i) {
        return String.format("%05d.png", i);
    }

    // ---- drawing ----

    /** Draws one digit into pixels[offset .. offset + PIXELS). */
    static void render(Rng r, int digit, byte[] pixels, int offset) {
        List<double[]> strokes = glyph(digit, r);

        // A smooth warp in glyph units (the glyph box is 0..1 both ways, y down): handwriting wobble.
        double ax = r.uniform(0, 0.06), fx = r.uniform(0.5, 1.5), px = r.nextDouble();
        double ay = r.uniform(0, 0.06), fy = r.uniform(0.5, 1.5), py = r.nextDouble();
        // Then width, slant, rotation, size and position, in pixels.
        double widthScale = r.uniform(0.75, 1.15);
        double shear = r.uniform(-0.3, 0.3);
        double angle = Math.toRadians(r.uniform(-14, 14));
        double height = r.uniform(15, 22);
        double cx = SIZE / 2.0 + r.uniform(-2.5, 2.5);
        double cy = SIZE / 2.0 + r.uniform(-2.5, 2.5);
        double cos = StrictMath.cos(angle), sin = StrictMath.sin(angle);
        for (double[] s : strokes) {
            for (int k = 0; k < s.length; k += 2) {
                double x = s[k], y = s[k + 1];
                double wx = x + ax * StrictMath.sin(2 * Math.PI * (fx * y + px));
                double wy = y + ay * StrictMath.sin(2 * Math.PI * (fy * x + py));
                double u = (wx - 0.5) * widthScale, v = wy - 0.5;
                u += shear * v;
                double ru = u * cos - v * sin, rv = u * sin + v * cos;
                s[k] = cx + ru * height;
                s[k + 1] = cy + rv * height;
            }
        }

        float[] coverage = new float[PIXELS];
        double halfWidth = r.uniform(0.8, 1.9);
        for (double[] s : strokes) {
            for (int k = 0; k + 3 < s.length; k += 2) {
                drawSegment(coverage, s[k], s[k + 1], s[k + 2], s[k + 3], halfWidth, 1f);
            }
        }
        // Faint short scratches: clutter the network must learn to ignore.
        int scratches = r.chance(0.3) ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < scratches; i++) {
            double x0 = r.uniform(0, SIZE), y0 = r.uniform(0, SIZE);
            double len = r.uniform(2, 5), dir = r.uniform(0, 2 * Math.PI);
            drawSegment(coverage, x0, y0, x0 + len * StrictMath.cos(dir), y0 + len * StrictMath.sin(dir),
                    r.uniform(0.4, 0.9), (float) r.uniform(0.15, 0.4));
        }

        double background = r.uniform(0, 50);
        double foreground = r.uniform(170, 255);
        double noise = r.uniform(0, 18);
        for (int p = 0; p < PIXELS; p++) {
            double v = background + (foreground - background) * coverage[p] + noise * r.nextGaussian();
            pixels[offset + p] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        }
    }

    /** Anti-aliased thick segment: coverage = clamp(halfWidth + 0.5 - distance, 0, 1) * strength. */
    private static void drawSegment(float[] coverage, double x0, double y0, double x1, double y1, double halfWidth,
                                    float strength) {
        double reach = halfWidth + 1;
        int minX = Math.max(0, (int) Math.floor(Math.min(x0, x1) - reach));
        int maxX = Math.min(SIZE - 1, (int) Math.ceil(Math.max(x0, x1) + reach));
        int minY = Math.max(0, (int) Math.floor(Math.min(y0, y1) - reach));
        int maxY = Math.min(SIZE - 1, (int) Math.ceil(Math.max(y0, y1) + reach));
        double dx = x1 - x0, dy = y1 - y0;
        double len2 = dx * dx + dy * dy;
        for (int y = minY; y <= maxY; y++) {
            for (int x = minX; x <= maxX; x++) {
                double qx = x + 0.5 - x0, qy = y + 0.5 - y0;
                double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, (qx * dx + qy * dy) / len2));
                double ex = qx - t * dx, ey = qy - t * dy;
                double d = StrictMath.sqrt(ex * ex + ey * ey);
                float c = (float) Math.max(0, Math.min(1, halfWidth + 0.5 - d)) * strength;
                int p = y * SIZE + x;
                if (c > coverage[p]) {
                    coverage[p] = c;
                }
            }
        }
    }

    /**
     * The strokes of a digit in the unit box (x right, y down), each a polyline {x0, y0, x1, y1, ...}.
     * Arc angles are in degrees, 0 pointing right and 90 pointing down.
     */
    static List<double[]> glyph(int digit, Rng r) {
        List<double[]> s = new ArrayList<>();
        switch (digit) {
            case 0 -> s.add(arc(0.5, 0.5, r.uniform(0.26, 0.34), 0.45, 0, 360, 24));
            case 1 -> {
                s.add(line(0.5, 0.05, 0.5, 0.95));
                if (r.chance(0.5)) {
                    s.add(line(0.3, 0.25, 0.5, 0.05));
                }
                if (r.chance(0.25)) {
                    s.add(line(0.33, 0.95, 0.67, 0.95));
                }
            }
            case 2 -> {
                double[] top = arc(0.5, 0.3, 0.3, 0.25, 180, 400, 12);
                s.add(join(top, new double[] {0.18, 0.95, 0.85, 0.95}));
            }
            case 3 -> {
                s.add(arc(0.5, 0.28, 0.27, 0.23, 200, 450, 12));
                s.add(arc(0.5, 0.72, 0.3, 0.23, 270, 520, 12));
            }
            case 4 -> {
                if (r.chance(0.5)) {
                    s.add(new double[] {0.66, 0.95, 0.66, 0.05, 0.12, 0.66, 0.88, 0.66});
                } else {
                    s.add(new double[] {0.22, 0.05, 0.16, 0.6, 0.86, 0.6});
                    s.add(line(0.66, 0.3, 0.66, 0.95));
                }
            }
            case 5 -> {
                double[] bowl = arc(0.48, 0.66, 0.3, 0.28, 235, 485, 12);
                s.add(join(new double[] {0.82, 0.05, 0.3, 0.05}, join(bowl, new double[] {0.18, 0.82})));
            }
            case 6 -> {
                s.add(new double[] {0.72, 0.05, 0.47, 0.2, 0.3, 0.45, 0.24, 0.72});
                s.add(arc(0.5, 0.72, 0.26, 0.23, 180, 540, 16));
            }
            case 7 -> {
                s.add(new double[] {0.12, 0.05, 0.88, 0.05, 0.42, 0.95});
                if (r.chance(0.3)) {
                    s.add(line(0.38, 0.5, 0.78, 0.5));
                }
            }
            case 8 -> {
                s.add(arc(0.5, 0.28, 0.23, 0.22, 0, 360, 16));
                s.add(arc(0.5, 0.72, 0.28, 0.24, 0, 360, 16));
            }
            case 9 -> {
                s.add(arc(0.5, 0.3, 0.27, 0.25, 0, 360, 16));
                if (r.chance(0.5)) {
                    s.add(line(0.77, 0.3, 0.77, 0.95));
                } else {
                    s.add(new double[] {0.77, 0.3, 0.72, 0.62, 0.55, 0.95});
                }
            }
            default -> throw new IllegalArgumentException("digit " + digit);
        }
        return s;
    }

    private static double[] line(double x0, double y0, double x1, double y1) {
        return new double[] {x0, y0, x1, y1};
    }

    private static double[] arc(double cx, double cy, double rx, double ry, double fromDeg, double toDeg, int segments) {
        double[] p = new double[2 * (segments + 1)];
        for (int i = 0; i <= segments; i++) {
            double a = Math.toRadians(fromDeg + (toDeg - fromDeg) * i / segments);
            p[2 * i] = cx + rx * StrictMath.cos(a);
            p[2 * i + 1] = cy + ry * StrictMath.sin(a);
        }
        return p;
    }

    private static double[] join(double[] a, double[] b) {
        double[] p = new double[a.length + b.length];
        System.arraycopy(a, 0, p, 0, a.length);
        System.arraycopy(b, 0, p, a.length, b.length);
        return p;
    }
}
