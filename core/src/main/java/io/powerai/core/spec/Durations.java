package io.powerai.core.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, or whole seconds. */
public final class Durations {
    private static final Pattern TEXT = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Durations() {
    }

    public static Duration parse(Object value) {
        if (value instanceof Integer seconds && seconds > 0) {
            return Duration.ofSeconds(seconds);
        }
        if (value instanceof String text) {
            Matcher m = TEXT.matcher(text.strip());
            if (!text.isBlank() && m.matches()) {
                try {
                    Duration d = Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
                    d.toMillis(); // must fit a process timeout (throws ArithmeticException when it does not)
                    if (!d.isZero()) {
                        return d;
                    }
                } catch (ArithmeticException | NumberFormatException tooLarge) {
                    // falls through to the rule
                }
            }
        }
        throw new IllegalArgumentException("must be a positive duration such as 90s, 30m, 2h or 1h30m");
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            out.append(s % 3600 / 60).append('m');
        }
        if (s % 60 != 0 || out.length() == 0) {
            out.append(s % 60).append('s');
        }
        return out.toString();
    }

    private static long group(Matcher m, int i) {
        return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
    }
}
