package io.qbridge.converter.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled images from a CSV file with a header: a {@code file} column (relative to the images
 * folder) and a label column holding the index of the right class in the model's output.
 */
public final class GroundTruth {
    /** One labelled image. */
    public record Sample(Path image, int label) {
    }

    private GroundTruth() {
    }

    /**
     * @param skip  rows to leave out first (e.g. the images used for calibration)
     * @param limit most rows to return after skipping (0 or less: all)
     */
    public static List<Sample> read(Path csv, Path imagesDir, String labelColumn, int skip, int limit) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(csv + " is empty; expected a header with a 'file' column");
        }
        List<String> header = parseLine(stripBom(lines.get(0)));
        int fileColumn = header.indexOf("file");
        int labelIndex = header.indexOf(labelColumn);
        if (fileColumn < 0) {
            throw new IOException(csv + " has no 'file' column; its columns are " + header);
        }
        if (labelIndex < 0) {
            throw new IOException(csv + " has no '" + labelColumn + "' column; its columns are " + header
                    + " (choose one with --label-column)");
        }
        List<Sample> samples = new ArrayList<>();
        int row = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (row++ < skip) {
                continue;
            }
            if (limit > 0 && samples.size() >= limit) {
                break;
            }
            List<String> cells = parseLine(line);
            if (cells.size() <= Math.max(fileColumn, labelIndex)) {
                throw new IOException(csv + " line " + (i + 1) + " has " + cells.size() + " cells, expected "
                        + header.size());
            }
            int label;
            try {
                label = Integer.parseInt(cells.get(labelIndex).trim());
            } catch (NumberFormatException e) {
                throw new IOException(csv + " line " + (i + 1) + ": label '" + cells.get(labelIndex)
                        + "' in column " + labelColumn + " is not a class index");
            }
            samples.add(new Sample(imagesDir.resolve(cells.get(fileColumn).trim()), label));
        }
        return samples;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** One CSV record: commas separate, double quotes enclose, "" inside quotes is a quote. */
    static List<String> parseLine(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
