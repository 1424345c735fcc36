package io.powerai.core.render;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * What every picture powerai draws shares: escaping, numbers written the same on every machine, and a
 * conservative measure of text. Pictures use presentation attributes only (no {@code <style>}, no {@code style=},
 * no scripts), so they render alike in browsers, in an {@code <img>} and under Jenkins' Content-Security-Policy.
 */
public final class Svg {
    public static final String FONT = "DejaVu Sans, Verdana, Arial, sans-serif";

    private Svg() {
    }

    /** Text or attribute content with markup characters escaped and control characters as spaces. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 ? ' ' : c);
            }
        }
        return out.toString();
    }

    /** A pixel coordinate with at most two decimals. */
    public static String px(double v) {
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** A measured value for people: six significant digits but every digit before the point, no exponent, no trailing zeros. */
    public static String value(double v) {
        BigDecimal exact = BigDecimal.valueOf(v);
        int integerDigits = exact.precision() - exact.scale();
        BigDecimal d = exact.round(new MathContext(Math.max(6, integerDigits), RoundingMode.HALF_UP)).stripTrailingZeros();
        return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
    }

    /**
     * The width {@code text} takes at {@code fontSize}, never less than it takes in the wide fonts a browser may pick
     * for "sans-serif" (DejaVu Sans, Verdana): a label measured here is never cut by its box.
     */
    public static double width(String text, double fontSize, boolean bold) {
        double em = 0;
        for (int i = 0; i < text.length(); i++) {
            em += advance(text.charAt(i));
        }
        return em * fontSize * (bold ? 1.12 : 1.0);
    }

    /** {@code text} shortened with an ellipsis to fit {@code maxWidth}; the whole text when it fits. */
    public static String fit(String text, double maxWidth, double fontSize, boolean bold) {
        if (width(text, fontSize, bold) <= maxWidth) {
            return text;
        }
        String cut = text;
        while (!cut.isEmpty() && width(cut + "\u2026", fontSize, bold) > maxWidth) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "\u2026";
    }

    // Advances in em, rounded up from Verdana's and DejaVu Sans' (the widest common sans-serif fonts).
    private static double advance(char c) {
        if ("il.,:;'|!`".indexOf(c) >= 0) {
            return 0.36;
        }
        if ("fjrt()[]{} -/\\\"".indexOf(c) >= 0) {
            return 0.48;
        }
        if (c == 'm' || c == 'M' || c == 'W' || c == 'w' || c == '@' || c == '%' || c == '\u2026') {
            return 1.1;
        }
        if (c >= 'A' && c <= 'Z' || c == '=' || c == '+' || c == '<' || c == '>' || c == '#' || c == '~' || c == '&') {
            return 0.86;
        }
        if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '?' || c == '*') {
            return 0.7;
        }
        return 1.2; // anything else, wide scripts included
    }
}
