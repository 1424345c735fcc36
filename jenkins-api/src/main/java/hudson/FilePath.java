package hudson;

import hudson.remoting.VirtualChannel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.jenkinsci.remoting.RoleSensitive;
import org.jenkinsci.remoting.SerializableOnlyOverRemoting;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. */
@SuppressWarnings("serial")
public final class FilePath implements SerializableOnlyOverRemoting {
    public FilePath(VirtualChannel channel, String remote) {
        throw new UnsupportedOperationException("declaration only");
    }

    public FilePath(File localPath) {
        throw new UnsupportedOperationException("declaration only");
    }

    public FilePath(FilePath base, String rel) {
        throw new UnsupportedOperationException("declaration only");
    }

    public String getRemote() {
        throw new UnsupportedOperationException("declaration only");
    }

    public FilePath child(String relOrAbsolute) {
        throw new UnsupportedOperationException("declaration only");
    }

    public boolean exists() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public void mkdirs() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public boolean delete() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public InputStream read() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public OutputStream write() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public <T> T act(final FileCallable<T> callable) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("declaration only");
    }

    public interface FileCallable<T> extends Serializable, RoleSensitive {
        T invoke(File f, VirtualChannel channel) throws IOException, InterruptedException;
    }
}
