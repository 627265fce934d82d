package io.qbridge.graph;

/** Spatial padding of convolutions and pooling, as TFLite's {@code Padding}. */
public enum Padding {
    SAME, VALID
}
