package io.qbridge;

import java.util.List;

/**
 * A well-formed model uses operators (or operator/type combinations) that the chosen backend
 * cannot run. All of them are listed at once.
 */
public class UnsupportedModelException extends QbridgeException {
    private final List<String> problems;

    /** What one backend refuses: "the neon backend cannot run this model: ...". */
    public UnsupportedModelException(String backend, List<String> problems) {
        super("the " + backend + " backend cannot run this model: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** What no backend runs (the planner's findings): "qbridge cannot run this model: ...". */
    public UnsupportedModelException(List<String> problems) {
        super("qbridge cannot run this model: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One entry per unsupported operator kind, e.g. "UNIDIRECTIONAL_SEQUENCE_LSTM (operator 3)". */
    public List<String> problems() {
        return problems;
    }
}
