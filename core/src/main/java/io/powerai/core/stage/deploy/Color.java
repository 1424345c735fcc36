package io.powerai.core.stage.deploy;

import java.util.Locale;

/** The two Deployments of blue/green: one serves, the other takes the next version. */
public enum Color {
    BLUE, GREEN;

    public Color other() {
        return this == BLUE ? GREEN : BLUE;
    }

    /** As it appears in names and labels: {@code blue}, {@code green}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Color parse(String text) {
        for (Color c : values()) {
            if (c.label().equals(text)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return label();
    }
}
