package hudson.model;

import java.io.PrintStream;
import org.jenkinsci.remoting.SerializableOnlyOverRemoting;

/** Declaration only (jenkins-core 2.579); its default methods are left out. */
public interface TaskListener extends SerializableOnlyOverRemoting {
    PrintStream getLogger();
}
