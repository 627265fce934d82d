package io.qbridge.plan;

/**
 * The prepared parameters of one planned operator: everything a kernel needs that can be computed
 * once per model (shapes, padding, requantization multipliers and shifts, activation clamps,
 * references to constant data). One record per op family, built by its {@link OpPreparer}.
 * Backends dispatch on the record's class.
 */
public interface OpParams {
}
