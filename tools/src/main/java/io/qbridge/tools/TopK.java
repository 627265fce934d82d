package io.qbridge.tools;

import java.util.Arrays;
import java.util.Comparator;

/** Indices of the largest scores, best first; ties keep the lower index first. */
public final class TopK {
    private TopK() {
    }

    public static int[] indices(float[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        int n = Math.min(k, scores.length);
        int[] top = new int[n];
        for (int i = 0; i < n; i++) {
            top[i] = order[i];
        }
        return top;
    }
}
