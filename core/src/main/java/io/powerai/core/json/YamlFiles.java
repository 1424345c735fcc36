package io.powerai.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What every YAML file powerai reads (powerai.yaml, a step's spec, a conda environment file) goes through before
 * it is parsed: a size limit checked on the file, not on the parser's buffer (a 10 MB one-line value took the
 * parser 47 s before its own 3 MiB limit applied), and no anchors or aliases (the parser hands an alias on as
 * its name, {@code *base}, instead of the value; and aliases are how a small file expands into a huge one).
 */
public final class YamlFiles {
    /** A pipeline file is a few KiB; a conda environment file rarely more. */
    public static final long MAX_BYTES = 1024 * 1024;
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlFiles() {
    }

    /** The text of {@code file}, refused (exit 2, {@code where} first) when it is over {@link #MAX_BYTES}. */
    public static String readText(Path file, String where) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new PowerAiException.InvalidInput(where + ": " + file + " is " + size + " bytes, over the " + MAX_BYTES
                    + " bytes a YAML file may have here");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput(where + ": " + file + " is not a regular file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * The first anchor ({@code &name}) or alias ({@code *name}) in {@code text}, described with its line, or empty.
     * YAML that does not parse is left to the caller's parser, which says where.
     */
    public static Optional<String> anchorOrAlias(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            YAMLParser yaml = (YAMLParser) parser;
            for (JsonToken token = yaml.nextToken(); token != null; token = yaml.nextToken()) {
                int line = yaml.currentLocation().getLineNr();
                if (yaml.isCurrentAlias()) {
                    return Optional.of("line " + line + ": alias '*" + yaml.getText() + "'");
                }
                if (yaml.getObjectId() != null) {
                    return Optional.of("line " + line + ": anchor '&" + yaml.getObjectId() + "'");
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The rule, for messages. */
    public static String aliasRule() {
        return "YAML anchors and aliases (&name, *name, <<: *name) are not supported: write each value out";
    }
}
