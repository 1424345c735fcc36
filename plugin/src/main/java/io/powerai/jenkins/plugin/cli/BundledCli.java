package io.powerai.jenkins.plugin.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The CLI jar inside the plugin: its version, the SHA-256 computed when the plugin was built, and its bytes. All
 * three are resources written by the build (plugin/pom.xml), beside this class.
 */
public final class BundledCli {
    static final String JAR_RESOURCE = CliCache.JAR_NAME;
    static final String SHA256_RESOURCE = CliCache.JAR_NAME + ".sha256";
    static final String PROPERTIES_RESOURCE = "powerai-cli.properties";

    private final String version;
    private final String sha256;
    private final CliCache.Content content;

    public BundledCli(String version, String sha256, CliCache.Content content) {
        this.version = CliCache.requireVersion(version);
        this.sha256 = CliCache.requireSha256(sha256);
        this.content = content;
    }

    /** The CLI this plugin was built with. */
    public static BundledCli load() {
        Properties properties = new Properties();
        try (InputStream in = resource(PROPERTIES_RESOURCE)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sha256;
        try (InputStream in = resource(SHA256_RESOURCE)) {
            sha256 = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BundledCli(properties.getProperty("version"), sha256, () -> resource(JAR_RESOURCE));
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = BundledCli.class.getResourceAsStream(name);
        if (in == null) {
            // Only a plugin built without its packaging step lacks these: a bug, not a user error.
            throw new IOException("the plugin lacks its bundled resource " + name + " (was it built with plugin/pom.xml?)");
        }
        return in;
    }

    public String version() {
        return version;
    }

    public String sha256() {
        return sha256;
    }

    public CliCache.Content content() {
        return content;
    }

    /** The jar's folder below a cache root. */
    public String relativeDir() {
        return CliCache.relativeDir(version);
    }
}
