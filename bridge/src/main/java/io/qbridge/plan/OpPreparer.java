package io.qbridge.plan;

/**
 * Validates one operator (tensor count, types, shapes, options) and computes its
 * {@link OpParams}. Registered per builtin op code in {@link OpRegistry}.
 */
@FunctionalInterface
public interface OpPreparer {
    /** Returns the op's parameters, or reports through {@code ctx} why it cannot run. */
    OpParams prepare(PrepareContext ctx);
}
