package io.powerai.core.engine;

import io.powerai.core.image.ImageReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What a build will pull: the registries of a Dockerfile's FROM images, so that the build gets their credentials. */
final class Dockerfiles {
    private Dockerfiles() {
    }

    /**
     * The registries of the images {@code dockerfile}'s FROM lines name, in order, without repeats; a stage named by
     * an earlier {@code AS}, {@code scratch} and a reference built from ARGs name none. Empty when there is no file.
     */
    static List<String> baseRegistries(Path dockerfile) {
        List<String> lines;
        try {
            lines = Files.isRegularFile(dockerfile) ? Files.readAllLines(dockerfile) : List.of();
        } catch (IOException e) {
            return List.of(); // the build itself reports an unreadable Dockerfile
        }
        List<String> registries = new ArrayList<>();
        Set<String> stages = new HashSet<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equalsIgnoreCase("FROM")) {
                continue;
            }
            int i = 1;
            while (i < words.length && words[i].startsWith("--")) {
                i++;
            }
            if (i >= words.length) {
                continue;
            }
            String image = words[i];
            if (i + 2 < words.length && words[i + 1].equalsIgnoreCase("AS")) {
                stages.add(words[i + 2].toLowerCase(Locale.ROOT));
            }
            if (image.equalsIgnoreCase("scratch") || image.contains("$") || stages.contains(image.toLowerCase(Locale.ROOT))
                    && !image.contains("/") && !image.contains(":")) {
                continue;
            }
            try {
                String registry = ImageReference.parse(image).registry();
                if (!registries.contains(registry)) {
                    registries.add(registry);
                }
            } catch (IllegalArgumentException e) {
                // the build reports a malformed reference itself
            }
        }
        return registries;
    }
}
