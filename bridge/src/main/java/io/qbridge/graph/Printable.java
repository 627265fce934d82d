package io.qbridge.graph;

/**
 * Names from a model file (tensor names, custom op codes) as they appear in messages: control
 * characters escaped ({@code \n} as {@code \u000a}) and long names cut, so that a crafted file
 * cannot forge log lines or flood a terminal. The names themselves are kept as read: a model
 * written back keeps them byte for byte.
 */
public final class Printable {
    /** Longest name shown whole. */
    static final int MAX_CHARS = 200;

    private Printable() {
    }

    public static String of(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(Math.min(name.length(), MAX_CHARS + 16));
        for (int i = 0; i < name.length(); i++) {
            if (s.length() >= MAX_CHARS) {
                return s.append("...(").append(name.length()).append(" chars)").toString();
            }
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validPair(name, i)
                    || Character.getType(c) == Character.FORMAT) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
