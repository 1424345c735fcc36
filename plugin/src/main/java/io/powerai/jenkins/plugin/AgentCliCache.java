package io.powerai.jenkins.plugin;

import hudson.FilePath;
import hudson.remoting.VirtualChannel;
import io.powerai.jenkins.plugin.cli.CliCache;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import jenkins.MasterToSlaveFileCallable;

/**
 * {@link CliCache.Place} for a folder on an agent: the hash checks and the move run on the agent (in
 * {@link CliCache#local}), the bytes travel through {@link FilePath#write()}. Glue only.
 */
final class AgentCliCache implements CliCache.Place {
    private final FilePath dir;

    AgentCliCache(FilePath dir) {
        this.dir = dir;
    }

    @Override
    public CliCache.State probe(String expectedSha256) throws IOException, InterruptedException {
        return dir.act(new Probe(expectedSha256));
    }

    @Override
    public void stage(String stagedName, CliCache.Content content) throws IOException, InterruptedException {
        dir.mkdirs();
        try (InputStream in = content.open(); OutputStream out = dir.child(stagedName).write()) {
            in.transferTo(out);
        }
    }

    @Override
    public void commit(String stagedName, String expectedSha256) throws IOException, InterruptedException {
        dir.act(new Commit(stagedName, expectedSha256));
    }

    @Override
    public void discard(String stagedName) throws IOException {
        try {
            dir.child(stagedName).delete();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Probe extends MasterToSlaveFileCallable<CliCache.State> {
        private static final long serialVersionUID = 1L;
        private final String expectedSha256;

        Probe(String expectedSha256) {
            this.expectedSha256 = expectedSha256;
        }

        @Override
        public CliCache.State invoke(File dir, VirtualChannel channel) throws IOException, InterruptedException {
            return CliCache.local(dir.toPath()).probe(expectedSha256);
        }
    }

    private static final class Commit extends MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;
        private final String stagedName;
        private final String expectedSha256;

        Commit(String stagedName, String expectedSha256) {
            this.stagedName = stagedName;
            this.expectedSha256 = expectedSha256;
        }

        @Override
        public Void invoke(File dir, VirtualChannel channel) throws IOException, InterruptedException {
            CliCache.local(dir.toPath()).commit(stagedName, expectedSha256);
            return null;
        }
    }
}
