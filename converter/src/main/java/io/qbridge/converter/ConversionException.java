package io.qbridge.converter;

import io.qbridge.QbridgeException;

import java.util.List;

/** A model that cannot be converted; every reason is listed at once (no partial file is written). */
public class ConversionException extends QbridgeException {
    private final List<String> problems;

    public ConversionException(String what, List<String> problems) {
        super(what + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
