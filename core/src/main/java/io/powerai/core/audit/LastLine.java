package io.powerai.core.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The last non-blank line of a file, read backwards from its end in blocks, so that finding it costs the length of
 * the line and not of the file. Lines are what {@link String#lines()} makes of the text (ended by \n, \r or \r\n, the
 * text after the last break being a line of its own, so a torn last record is returned as it is) and blank is
 * {@link String#isBlank()}: append sees the same last line as when it read the whole log.
 */
final class LastLine {
    private static final int BLOCK = 64 * 1024;

    private LastLine() {
    }

    /** The last non-blank line, or null when the file has none. */
    static String of(FileChannel channel) throws IOException {
        long lineEnd = channel.size();  // the end (exclusive) of the line being looked at
        long readFrom = lineEnd;        // what is in {@code bytes}: [readFrom, lineEnd)
        byte[] bytes = new byte[0];
        while (true) {
            int length = (int) Math.min(BLOCK, readFrom);
            if (length == 0) {
                return text(bytes, 0, bytes.length);
            }
            byte[] block = read(channel, readFrom - length, length);
            for (int i = length - 1; i >= 0; i--) {
                if (block[i] != '\n' && block[i] != '\r') {
                    continue;
                }
                long breakAt = readFrom - length + i;
                byte[] line = concat(block, i + 1, length, bytes, (int) (lineEnd - readFrom));
                String text = text(line, 0, line.length);
                if (text != null) {
                    return text;
                }
                lineEnd = breakAt;
                bytes = new byte[0];
                readFrom = breakAt;
                length = i;
            }
            bytes = concat(block, 0, length, bytes, bytes.length);
            readFrom -= length;
        }
    }

    private static String text(byte[] bytes, int from, int to) {
        String text = new String(bytes, from, to - from, StandardCharsets.UTF_8);
        return text.isBlank() ? null : text;
    }

    private static byte[] concat(byte[] head, int from, int to, byte[] tail, int tailLength) {
        byte[] out = new byte[to - from + tailLength];
        System.arraycopy(head, from, out, 0, to - from);
        System.arraycopy(tail, 0, out, to - from, tailLength);
        return out;
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the file ended while its last line was read");
            }
        }
        return buffer.array();
    }
}
