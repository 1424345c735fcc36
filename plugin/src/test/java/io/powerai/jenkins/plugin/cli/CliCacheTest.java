package io.powerai.jenkins.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.powerai.core.json.Digests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliCacheTest {
    private static final byte[] JAR = "pretend this is powerai-cli.jar".getBytes(StandardCharsets.UTF_8);
    private static final String SHA = Digests.sha256(JAR);

    @TempDir
    Path tmp;

    private final AtomicInteger opened = new AtomicInteger();

    private CliCache.Content content(byte[] bytes) {
        return () -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(bytes);
        };
    }

    private Path dir() {
        return tmp.resolve("tools").resolve(CliCache.relativeDir("0.1.0-SNAPSHOT"));
    }

    @Test
    void relativeDir_isOneFolderPerVersion() {
        assertThat(CliCache.relativeDir("0.1.0-SNAPSHOT")).isEqualTo("powerai/0.1.0-SNAPSHOT");
        assertThat(CliCache.relativeDir("1.2.3+build.4")).isEqualTo("powerai/1.2.3+build.4");
    }

    @Test
    void relativeDir_versionThatIsNotOnePathSegment_isRejected() {
        for (String bad : new String[] {"..", "../x", "a/b", "a\\b", "", ".hidden", " 1.0"}) {
            assertThatThrownBy(() -> CliCache.relativeDir(bad), bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("one path segment");
        }
        assertThatThrownBy(() -> CliCache.relativeDir(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void probe_noFile_isMissing() throws IOException {
        assertThat(CliCache.probe(dir().resolve(CliCache.JAR_NAME), SHA)).isEqualTo(CliCache.State.MISSING);
    }

    @Test
    void probe_sameBytes_isVerified_otherBytes_isCorrupt() throws IOException {
        Path jar = tmp.resolve(CliCache.JAR_NAME);
        Files.write(jar, JAR);
        assertThat(CliCache.probe(jar, SHA)).isEqualTo(CliCache.State.VERIFIED);
        Files.write(jar, "truncated".getBytes(StandardCharsets.UTF_8));
        assertThat(CliCache.probe(jar, SHA)).isEqualTo(CliCache.State.CORRUPT);
    }

    @Test
    void probe_folderInThePlaceOfTheJar_isCorrupt() throws IOException {
        Path jar = Files.createDirectories(tmp.resolve(CliCache.JAR_NAME));
        assertThat(CliCache.probe(jar, SHA)).isEqualTo(CliCache.State.CORRUPT);
    }

    @Test
    void probe_malformedExpectedHash_isABug() {
        assertThatThrownBy(() -> CliCache.probe(tmp.resolve("x"), "ABC")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lowercase hex digits");
    }

    @Test
    void ensure_firstTime_installsVerifiedCopy() throws Exception {
        CliCache.Outcome outcome = CliCache.ensure(CliCache.local(dir()), SHA, content(JAR));

        assertThat(outcome).isEqualTo(CliCache.Outcome.INSTALLED);
        assertThat(dir().resolve(CliCache.JAR_NAME)).hasBinaryContent(JAR);
        assertThat(listing(dir())).containsExactly(CliCache.JAR_NAME);
    }

    @Test
    void ensure_cachedCopyMatches_reusesItWithoutOpeningTheBundledJar() throws Exception {
        CliCache.ensure(CliCache.local(dir()), SHA, content(JAR));
        opened.set(0);

        CliCache.Outcome outcome = CliCache.ensure(CliCache.local(dir()), SHA, content(JAR));

        assertThat(outcome).isEqualTo(CliCache.Outcome.REUSED);
        assertThat(opened).hasValue(0);
    }

    @Test
    void ensure_cachedCopyTampered_replacesIt() throws Exception {
        CliCache.ensure(CliCache.local(dir()), SHA, content(JAR));
        Files.write(dir().resolve(CliCache.JAR_NAME), "evil".getBytes(StandardCharsets.UTF_8));

        CliCache.Outcome outcome = CliCache.ensure(CliCache.local(dir()), SHA, content(JAR));

        assertThat(outcome).isEqualTo(CliCache.Outcome.REPLACED);
        assertThat(dir().resolve(CliCache.JAR_NAME)).hasBinaryContent(JAR);
        assertThat(listing(dir())).containsExactly(CliCache.JAR_NAME);
    }

    @Test
    void ensure_bundledBytesDoNotMatchTheirHash_failsAndLeavesTheCachedJarAndNoStagedCopy() throws Exception {
        Files.createDirectories(dir());
        Files.write(dir().resolve(CliCache.JAR_NAME), "old".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> CliCache.ensure(CliCache.local(dir()), SHA, content("corrupted in transit".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CliCache.CorruptCopyException.class)
                .hasMessageContaining("not the " + SHA)
                .hasMessageContaining("was deleted");
        assertThat(dir().resolve(CliCache.JAR_NAME)).hasContent("old");
        assertThat(listing(dir())).containsExactly(CliCache.JAR_NAME);
    }

    @Test
    void ensure_contentFailsMidway_removesTheStagedCopy() throws Exception {
        CliCache.Content failing = () -> new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ > 10) {
                    throw new IOException("connection to the agent lost");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> CliCache.ensure(CliCache.local(dir()), SHA, failing)).hasMessage("connection to the agent lost");
        assertThat(listing(dir())).isEmpty();
    }

    @Test
    void ensure_twoBuildsOnOneAgentAtOnce_bothEndWithTheVerifiedJar() throws Exception {
        byte[] big = new byte[4 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        String sha = Digests.sha256(big);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CliCache.Outcome>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<CliCache.Outcome> install = () -> CliCache.ensure(CliCache.local(dir()), sha, () -> new ByteArrayInputStream(big));
                results.add(pool.submit(install));
            }
            for (Future<CliCache.Outcome> result : results) {
                assertThat(result.get()).isIn(CliCache.Outcome.INSTALLED, CliCache.Outcome.REUSED);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(CliCache.probe(dir().resolve(CliCache.JAR_NAME), sha)).isEqualTo(CliCache.State.VERIFIED);
        assertThat(listing(dir())).containsExactly(CliCache.JAR_NAME);
    }

    @Test
    void stagingName_isHiddenAndUnique() {
        String a = CliCache.stagingName();
        assertThat(a).startsWith(".powerai-cli.jar.").endsWith(".tmp").isNotEqualTo(CliCache.stagingName());
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
