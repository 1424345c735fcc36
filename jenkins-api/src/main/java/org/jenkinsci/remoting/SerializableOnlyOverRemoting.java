package org.jenkinsci.remoting;

import java.io.Serializable;

/** Declaration only (remoting); its default method is left out. */
public interface SerializableOnlyOverRemoting extends Serializable {
}
