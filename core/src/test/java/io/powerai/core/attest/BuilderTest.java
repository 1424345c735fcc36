package io.powerai.core.attest;

import io.powerai.core.build.BuildInfo;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BuilderTest {
    @Test
    void inJenkins_theJobUrlIsTheId_andTheBuildIsRecorded() {
        Builder b = Builder.of(new BuildInfo("demo", "jenkins-demo-7", "https://ci.example.org/job/demo/7/"), "h", "u");
        assertThat(b.inJenkins()).isTrue();
        assertThat(b.id()).isEqualTo("https://ci.example.org/job/demo/");
        assertThat(b.toJson()).isEqualTo(Map.of("id", "https://ci.example.org/job/demo/",
                "version", Map.of("jenkinsJob", "demo", "jenkinsBuild", "https://ci.example.org/job/demo/7/")));
    }

    @Test
    void outsideJenkins_hostAndUser() {
        Builder b = Builder.of(new BuildInfo("ignored-without-url", null, null), "box 1", "ana");
        assertThat(b.inJenkins()).isFalse();
        assertThat(b.id()).isEqualTo("urn:powerai:builder:local:ana@box+1");
        assertThat(Builder.unknown().id()).isEqualTo("urn:powerai:builder:local:unknown-user@unknown-host");
    }
}
