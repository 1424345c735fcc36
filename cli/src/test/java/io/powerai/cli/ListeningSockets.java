package io.powerai.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The listening TCP sockets of this network namespace, from the kernel's own tables ({@code /proc/net/tcp} and
 * {@code tcp6}), not from the program under test. A row is the table's columns: local address at 1, state at 3,
 * uid at 7; addresses are hex in the kernel's byte order (each 32-bit word little-endian).
 */
final class ListeningSockets {
    private static final String LISTEN = "0A";
    private static final String IPV6_LOOPBACK = "00000000000000000000000001000000";
    private static final String IPV4_MAPPED = "0000000000000000FFFF0000";

    private ListeningSockets() {
    }

    static List<String[]> read() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.strip().split("\\s+");
                if (columns.length > 7 && columns[3].equals(LISTEN)) {
                    rows.add(columns);
                }
            }
        }
        return rows;
    }

    static int port(String[] row) {
        return Integer.parseInt(row[1].substring(row[1].indexOf(':') + 1), 16);
    }

    static int uid(String[] row) {
        return Integer.parseInt(row[7]);
    }

    /** 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
    static boolean loopback(String[] row) {
        String address = row[1].substring(0, row[1].indexOf(':')).toUpperCase(java.util.Locale.ROOT);
        if (address.length() == 8) {
            return address.endsWith("7F");
        }
        return address.equals(IPV6_LOOPBACK) || address.startsWith(IPV4_MAPPED) && address.endsWith("7F");
    }
}
