package io.powerai.core.gpu;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** nvidia-smi's values: "81559 MiB", "0 %", "127.62 W", and the ways it says it does not know. */
final class Values {
    // A number, then optionally one of the units nvidia-smi writes; nothing else may follow.
    private static final Pattern NUMBER = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?)\\s*(MiB|%|W|C|MHz)?");

    private Values() {
    }

    /** Whether nvidia-smi says it has no value: N/A, [N/A], [Not Supported], [Unknown Error], [Insufficient Permissions]. */
    static boolean unknown(String raw) {
        if (raw == null) {
            return true;
        }
        String text = raw.strip();
        return text.isEmpty() || text.equalsIgnoreCase("N/A") || (text.startsWith("[") && text.endsWith("]"))
                || text.toLowerCase(Locale.ROOT).startsWith("not supported");
    }

    /** The number in {@code raw}, or null where nvidia-smi has none; garbage is an error. */
    static Double number(String raw) throws NvidiaSmiFormatException {
        if (unknown(raw)) {
            return null;
        }
        Matcher m = NUMBER.matcher(raw.strip());
        if (!m.matches()) {
            throw new NvidiaSmiFormatException("not a number: '" + raw.strip() + "'");
        }
        return Double.valueOf(m.group(1));
    }

    static Long whole(String raw) throws NvidiaSmiFormatException {
        Double value = number(raw);
        return value == null ? null : Math.round(value);
    }

    static Integer integer(String raw) throws NvidiaSmiFormatException {
        Long value = whole(raw);
        return value == null ? null : Math.toIntExact(value);
    }

    static String text(String raw) {
        return unknown(raw) ? null : raw.strip();
    }
}
