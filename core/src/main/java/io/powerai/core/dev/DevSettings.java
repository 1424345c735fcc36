package io.powerai.core.dev;

import io.powerai.core.PowerAiException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code powerai dev} was asked for, checked whole before anything starts: the host port, and the address
 * Jupyter listens on (127.0.0.1 unless another is named together with {@code allowRemote}).
 */
public record DevSettings(int port, String listen, boolean remote) {
    public static final int DEFAULT_PORT = 8888;
    public static final String LOOPBACK = "127.0.0.1";
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /**
     * @param port        null for {@value #DEFAULT_PORT}
     * @param listen      null for 127.0.0.1; an IP address (no host names: what a name resolves to can change)
     * @param allowRemote the user's confirmation that a non-loopback address is meant
     */
    public static DevSettings of(Integer port, String listen, boolean allowRemote) {
        List<String> problems = new ArrayList<>();
        int p = port == null ? DEFAULT_PORT : port;
        if (p < 1 || p > 65535) {
            problems.add(DevEnvironment.STAGE + ": '--port' must be a TCP port from 1 to 65535; got '" + p + "'");
        }
        String address = listen == null ? LOOPBACK : listen.strip();
        boolean remote = false;
        InetAddress parsed = listen == null ? null : literal(address);
        if (listen != null && parsed == null) {
            problems.add(DevEnvironment.STAGE + ": '--listen' must be an IP address (such as 127.0.0.1 or 0.0.0.0), not a host name;"
                    + " got '" + listen + "'");
        } else if (parsed != null && !parsed.isLoopbackAddress()) {
            remote = true;
            if (!allowRemote) {
                problems.add(DevEnvironment.STAGE + ": '--listen' " + address + " would let other machines reach the notebook server,"
                        + " which runs any code it is sent; add --allow-remote to mean it (the token is still required), or leave"
                        + " --listen out to listen on 127.0.0.1 only");
            }
        }
        if (!problems.isEmpty()) {
            throw new PowerAiException.InvalidInput(String.join("\n", problems));
        }
        return new DevSettings(p, address, remote);
    }

    /** The address if {@code text} is an IP literal; null otherwise (never a DNS lookup). */
    static InetAddress literal(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !IPV6.matcher(text).matches()) {
            return null;
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Where this machine reaches the server: the address itself, or loopback when it listens on all of them. */
    String probeHost() {
        InetAddress address = literal(listen);
        if (address == null || address.isAnyLocalAddress()) {
            return LOOPBACK;
        }
        return listen.contains(":") ? "[" + listen + "]" : listen;
    }
}
