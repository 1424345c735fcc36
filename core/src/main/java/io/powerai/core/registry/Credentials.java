package io.powerai.core.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and secret for one registry. The secret never appears in {@link #toString()}, and is never put
 * on a command line, in a log, a result or an audit record: it reaches an engine only through a private auth
 * file ({@link PrivateAuthConfig}) and a registry only in an Authorization header.
 */
public record Credentials(String username, String password) {
    public Credentials {
        if (username == null || password == null) {
            throw new IllegalArgumentException("registry credentials need a user name and a password");
        }
    }

    /** The value of an auth file's {@code auth} field and of an HTTP basic Authorization: base64 of user:password. */
    public String basicToken() {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=****]";
    }
}
