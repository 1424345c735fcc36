package io.powerai.core.dev;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Handing a root-owned project to the stand-in and back, on real files (needs root, as CI runs). */
class ProjectOwnerTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "changes owners of files: needs root");
    }

    static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void handOverAndBack_linksNeverFollowed_hardLinkedFilesLeftAlone_skippedFolderUntouched() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "not the project's");
        Files.writeString(Files.createDirectories(project.resolve("src")).resolve("train.py"), "print(1)");
        Files.createSymbolicLink(project.resolve("link-out"), outside);
        Files.createLink(project.resolve("hard-link"), outside);
        Files.writeString(Files.createDirectories(project.resolve(".powerai")).resolve("dev.json"), "{}");
        ProjectOwner owner = ProjectOwner.of(project);
        assertThat(owner.isRoot()).isTrue();
        assertThat(owner.runAs()).isEqualTo(new ProjectOwner(ProjectOwner.STAND_IN, ProjectOwner.STAND_IN));

        int handed = ProjectOwner.handOver(project, 0, owner.runAs(), Set.of(".powerai"));
        assertThat(handed).isEqualTo(4); // project, src, src/train.py, the link itself
        assertThat(uid(project.resolve("src/train.py"))).isEqualTo(ProjectOwner.STAND_IN);
        assertThat(uid(project.resolve("link-out"))).isEqualTo(ProjectOwner.STAND_IN);
        assertThat(uid(outside)).as("a link's target is never changed").isZero();
        assertThat(uid(project.resolve(".powerai/dev.json"))).isZero();

        ProjectOwner.handOver(project, ProjectOwner.STAND_IN, new ProjectOwner(0, 0), Set.of(".powerai"));
        try (var all = Files.walk(project)) {
            for (Path p : all.toList()) {
                assertThat(uid(p)).as(p.toString()).isZero();
            }
        }
    }

    @Test
    void anUnprivilegedOwner_isWhoJupyterRunsAs() {
        assertThat(new ProjectOwner(4242, 4243).runAs().engineUser()).isEqualTo("4242:4243");
    }
}
