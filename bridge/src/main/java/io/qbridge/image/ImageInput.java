package io.qbridge.image;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.Tensor;
import io.qbridge.numerics.QuantMath;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an image file (BMP, PNG, JPEG, anything javax.imageio reads) into a model input: decode,
 * resize bilinearly to the input's height and width, expand grayscale or collapse RGB to the
 * input's channels, then map pixels to the input's values. One definition of preprocessing for
 * {@code classify}, {@code eval} and calibration.
 * <p>
 * Pixel mapping: with {@code mean}/{@code std}, real = (pixel - mean) / std, then quantized with
 * the tensor's parameters for integer inputs. Without them, a float input gets (pixel - 127.5) /
 * 127.5 (the [-1, 1] MobileNet convention) and an integer input gets the raw pixel shifted to its
 * range (uint8: the pixel, int8: pixel - 128), which is what models exported with
 * {@code --mean_values 128 --std_dev_values 128}-style inputs expect.
 */
public final class ImageInput {
    private ImageInput() {
    }

    /** Decodes an image file; a file javax.imageio cannot read gives an IOException saying so. */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such image file");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + ": not an image format this JVM can decode (BMP, PNG, JPEG, GIF)");
        }
        return img;
    }

    /**
     * Pixels in [0, 255], resized to height x width, NHWC with 1 or 3 channels (grayscale as the
     * mean of R, G, B).
     */
    public static float[] pixels(BufferedImage img, int height, int width, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images can feed inputs with 1 or 3 channels, not " + channels);
        }
        int srcW = img.getWidth();
        int srcH = img.getHeight();
        int[] argb = packedRgb(img);
        float[] out = new float[height * width * channels];
        float sy = (float) srcH / height;
        float sx = (float) srcW / width;
        for (int y = 0; y < height; y++) {
            float fy = Math.max(0f, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) fy, srcH - 1);
            int y1 = Math.min(y0 + 1, srcH - 1);
            float wy = fy - y0;
            for (int x = 0; x < width; x++) {
                float fx = Math.max(0f, (x + 0.5f) * sx - 0.5f);
                int x0 = Math.min((int) fx, srcW - 1);
                int x1 = Math.min(x0 + 1, srcW - 1);
                float wx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c;   // R, G, B
                    float top = channel(argb[y0 * srcW + x0], shift) * (1 - wx) + channel(argb[y0 * srcW + x1], shift) * wx;
                    float bottom = channel(argb[y1 * srcW + x0], shift) * (1 - wx) + channel(argb[y1 * srcW + x1], shift) * wx;
                    float v = top * (1 - wy) + bottom * wy;
                    int pixel = (y * width + x) * channels;
                    if (channels == 3) {
                        out[pixel + c] = v;
                    } else {
                        out[pixel] += v / 3f;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The image as packed RGB. Grayscale images are read from the raster: their getRGB goes
     * through Java's linear gray colour space and would brighten every pixel (200 reads as 228).
     */
    static int[] packedRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        java.awt.image.Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && !(img.getColorModel() instanceof java.awt.image.IndexColorModel)) {
            int bits = img.getColorModel().getComponentSize(0);
            int[] out = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x, y, 0);
                    int g = bits > 8 ? v >> (bits - 8) : v;
                    out[y * w + x] = (g << 16) | (g << 8) | g;
                }
            }
            return out;
        }
        return img.getRGB(0, 0, w, h, null, 0, w);
    }

    private static float channel(int argb, int shift) {
        return (argb >> shift) & 0xFF;
    }

    /**
     * Fills an image input tensor of shape [1, H, W, C] (C = 1 or 3) from the image.
     *
     * @param mean null for the default mapping described in the class comment
     * @param std  null for the default mapping
     */
    public static void feed(Tensor input, BufferedImage img, Float mean, Float std) {
        int[] shape = input.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new IllegalArgumentException("input '" + io.qbridge.graph.Printable.of(input.name()) + "' has shape " + java.util.Arrays.toString(shape)
                    + "; an image needs [1, height, width, channels]");
        }
        float[] px = pixels(img, shape[1], shape[2], shape[3]);
        DataType type = input.dataType();
        if (type == DataType.FLOAT32) {
            float m = mean == null ? 127.5f : mean;
            float s = std == null ? 127.5f : std;
            for (int i = 0; i < px.length; i++) {
                px[i] = (px[i] - m) / s;
            }
            input.copyFrom(px);
            return;
        }
        if (type != DataType.UINT8 && type != DataType.INT8) {
            throw new IllegalArgumentException("input '" + io.qbridge.graph.Printable.of(input.name()) + "' is " + type + "; images feed FLOAT32, UINT8 or INT8 inputs");
        }
        byte[] q = new byte[px.length];
        if (mean == null && std == null) {
            int shiftToRange = type.minValue();   // uint8: 0, int8: -128
            for (int i = 0; i < px.length; i++) {
                q[i] = (byte) (Math.round(px[i]) + shiftToRange);
            }
        } else {
            QuantParams p = input.quantParams();
            float m = mean == null ? 127.5f : mean;
            float s = std == null ? 127.5f : std;
            for (int i = 0; i < px.length; i++) {
                q[i] = (byte) QuantMath.quantizeClamped((px[i] - m) / s, p.scale(), p.zeroPoint(), type.minValue(), type.maxValue());
            }
        }
        input.copyFrom(q);
    }
}
