package hudson.remoting;

/** Declaration only (remoting): plugin/ names the type and calls none of its methods. */
public interface VirtualChannel {
}
