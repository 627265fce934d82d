package io.qbridge.converter.quantize;

/**
 * Calibration statistics of the input of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED, per
 * channel (the last dimension; for FULLY_CONNECTED each input element): E[x] for bias correction,
 * E[x^2] to weigh weight rounding errors by how much each input channel carries.
 */
public record ChannelMoments(double[] mean, double[] meanSquare) {
}
