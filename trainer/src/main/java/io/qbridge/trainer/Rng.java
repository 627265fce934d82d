package io.qbridge.trainer;

/**
 * SplitMix64 with Box-Muller Gaussians: a random generator whose every output is fixed by its
 * seed on any JVM and platform (java.util.random's algorithms are not all specified across JDK
 * versions, and Math's transcendental functions may differ by an ulp between CPUs; this uses
 * StrictMath). The dataset and the initial weights depend only on the seed.
 */
final class Rng {
    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    Rng(long seed) {
        this.state = seed;
    }

    /** A seed for stream {@code index} of a family, independent of the others. */
    static long derive(long seed, long family, long index) {
        return mix(mix(seed ^ mix(family + 0x632BE59BD9B4E019L)) + index * 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) ((nextLong() >>> 33) % bound);
    }

    boolean chance(double p) {
        return nextDouble() < p;
    }

    double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u = 1.0 - nextDouble();   // (0, 1]: log stays finite
        double v = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u));
        spareGaussian = r * StrictMath.sin(2 * Math.PI * v);
        hasSpare = true;
        return r * StrictMath.cos(2 * Math.PI * v);
    }
}
