package io.qbridge.converter.calibration;

import io.qbridge.DataType;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.image.ImageInput;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A representative dataset: samples of the model's float inputs ({@code float[input][element]}),
 * held in memory for the calibration passes.
 */
public final class CalibrationData {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".bmp", ".png", ".jpg", ".jpeg", ".gif");
    private static final List<String> TENSOR_EXTENSIONS = List.of(".npy", ".raw", ".bin", ".f32");

    private final List<float[][]> samples;

    public CalibrationData(List<float[][]> samples) {
        this.samples = List.copyOf(samples);
    }

    public List<float[][]> samples() {
        return samples;
    }

    public int size() {
        return samples.size();
    }

    /**
     * {@code count} samples spread evenly over the set (all when fewer): files are loaded in name
     * order, which often groups similar samples (ImageNet folders by class), so the first few are not
     * representative.
     */
    public CalibrationData spread(int count) {
        int n = samples.size();
        if (count >= n) {
            return this;
        }
        List<float[][]> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            picked.add(samples.get((int) ((long) i * n / count)));
        }
        return new CalibrationData(picked);
    }

    /** The first {@code count} samples (all when fewer). */
    public CalibrationData first(int count) {
        return new CalibrationData(samples.subList(0, Math.min(count, samples.size())));
    }

    /**
     * Loads up to {@code count} samples from a folder, in file-name order: images (decoded, resized and
     * mapped as {@code classify} does: (pixel - mean) / std) for a single image input [1, H, W, C], or
     * tensor files (.npy, or raw little-endian float32 .raw/.bin/.f32) holding one input each.
     */
    public static CalibrationData load(Path dir, Graph model, int count, float mean, float std, Progress progress)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder of calibration images or tensors");
        }
        int[] inputs = model.inputs();
        for (int t : inputs) {
            if (model.tensor(t).type() != DataType.FLOAT32) {
                throw new IOException("input " + model.tensor(t) + " is not FLOAT32; calibration feeds float models");
            }
        }
        List<Path> images = list(dir, IMAGE_EXTENSIONS);
        List<Path> tensors = list(dir, TENSOR_EXTENSIONS);
        if (inputs.length != 1) {
            throw new IOException("the model has " + inputs.length + " inputs; calibration from files needs a single-input model"
                    + " (use the API's CalibrationData for several inputs)");
        }
        TensorSpec input = model.tensor(inputs[0]);
        List<Path> files = !images.isEmpty() && isImageShaped(input) ? images : tensors;
        if (files.isEmpty()) {
            throw new IOException(dir + " has no " + (isImageShaped(input) ? "images or " : "") + "tensor files (.npy, .raw)"
                    + " for input " + input);
        }
        files = files.subList(0, Math.min(count, files.size()));
        List<float[][]> samples = new ArrayList<>();
        for (Path f : files) {
            progress.update("loading", samples.size(), files.size());
            if (IMAGE_EXTENSIONS.stream().anyMatch(ext -> name(f).endsWith(ext))) {
                samples.add(new float[][] {image(f, input, mean, std)});
            } else {
                samples.add(new float[][] {TensorFiles.read(f, (int) input.elementCount())});
            }
        }
        progress.update("loading", samples.size(), files.size());
        return new CalibrationData(samples);
    }

    static float[] image(Path f, TensorSpec input, float mean, float std) throws IOException {
        BufferedImage img = ImageInput.read(f);
        float[] px = ImageInput.pixels(img, input.dim(1), input.dim(2), input.dim(3));
        for (int i = 0; i < px.length; i++) {
            px[i] = (px[i] - mean) / std;
        }
        return px;
    }

    static boolean isImageShaped(TensorSpec t) {
        return t.rank() == 4 && t.dim(0) == 1 && (t.dim(3) == 1 || t.dim(3) == 3);
    }

    private static String name(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    private static List<Path> list(Path dir, List<String> extensions) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> extensions.stream().anyMatch(ext -> name(p).endsWith(ext)))
                    .sorted()
                    .toList();
        }
    }
}
