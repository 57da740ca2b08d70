package dev.berth.common;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Just enough of Redis' protocol to write the latest stats, output tails and idle reports: commands are sent as
 * one pipelined batch and their replies read back. One connection, used by one thread at a time;
 * after an error it reconnects on the next batch, so a Redis restart costs one batch.
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean reachable = true;

    public RedisLink(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Runs the commands in order; false when Redis could not be reached or answered an error. */
    public synchronized boolean run(List<List<String>> commands) {
        if (commands.isEmpty()) return true;
        try {
            connect();
            for (List<String> command : commands) write(command);
            out.flush();
            boolean ok = true;
            for (int i = 0; i < commands.size(); i++) ok &= readReply();
            if (!reachable) log.info("Redis at {}:{} answers again", host, port);
            reachable = true;
            return ok;
        } catch (IOException e) {
            // once per outage: the agent samples every few seconds and would repeat itself
            if (reachable) log.warn("Redis at {}:{} failed, writes wait for it: {}", host, port, e.toString());
            else log.debug("Redis at {}:{} still failing: {}", host, port, e.toString());
            reachable = false;
            disconnect();
            return false;
        }
    }

    /** A health check on this very link: a stuck connection shows here even when a fresh one would work. */
    public Check check() {
        return run(List.of(List.of("PING")))
                ? Check.up("PING answered by " + host + ":" + port)
                : Check.down("no answer from " + host + ":" + port);
    }

    @Override
    public synchronized void close() {
        disconnect();
    }

    private void connect() throws IOException {
        if (socket != null) return;
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
        s.setSoTimeout((int) TIMEOUT.toMillis());
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = new BufferedOutputStream(s.getOutputStream());
    }

    private void disconnect() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Closing the Redis socket failed: {}", e.toString());
        }
        socket = null;
    }

    private void write(List<String> command) throws IOException {
        out.write(("*" + command.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
    }

    /** Reads one reply whole; true unless it is an error. */
    private boolean readReply() throws IOException {
        int type = in.read();
        String line = readLine();
        switch (type) {
            case '+', ':' -> {
                return true;
            }
            case '-' -> {
                log.warn("Redis answered an error: {}", line);
                return false;
            }
            case '$' -> {
                long length = Long.parseLong(line);
                if (length >= 0) in.skipNBytes(length + 2);
                return true;
            }
            case '*' -> {
                long count = Long.parseLong(line);
                boolean ok = true;
                for (long i = 0; i < count; i++) ok &= readReply();
                return ok;
            }
            default -> throw new IOException("unexpected Redis reply type " + type);
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new IOException("Redis closed the connection");
            line.append((char) c);
        }
        if (in.read() != '\n') throw new IOException("malformed Redis reply");
        return line.toString();
    }
}
