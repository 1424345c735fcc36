package io.powerai.jenkins.plugin.config;

/** The answer to one field of the configuration form; the plugin turns it into Jenkins' FormValidation. */
public record Check(Kind kind, String message) {
    public enum Kind {
        OK, WARNING, ERROR
    }

    public static Check ok() {
        return new Check(Kind.OK, null);
    }

    public static Check warning(String message) {
        return new Check(Kind.WARNING, message);
    }

    public static Check error(String message) {
        return new Check(Kind.ERROR, message);
    }
}
