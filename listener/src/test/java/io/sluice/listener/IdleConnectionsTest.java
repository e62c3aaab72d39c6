package io.sluice.listener;

import com.sun.management.UnixOperatingSystemMXBean;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.listener.process.WorkerCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 idle keep-alive connections, each of which made one request and got its answer, are all held open by a
 * listener with a 256 MiB heap (idle connection timer 60 s) while new clients are still served; the listener's
 * resident memory is read before and after, and the cost per connection printed. The header wait (2 s) is shorter
 * than the hold: it must not apply to a connection that has sent no byte of a next request.
 * <p>
 * The listener runs in a child JVM (as {@link ChildListener} starts one, plus {@code -Xmx256m} and an admin port):
 * the 10,000 client sockets of this JVM and the 10,000 accepted ones of the listener would not fit one process's
 * open-file limit. The clients are non-blocking channels on one selector, driven from the test thread.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class IdleConnectionsTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("adminPort", "${ADMIN_PORT}")
        .timeout("headerWait", "2s")
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();

    private static final Path LOG_ROOT = Path.of("target", "sluice-test-logs").toAbsolutePath();
    private static final String HEAP_LIMIT = "-Xmx256m";
    private static final int CONNECTIONS = 10_000;
    private static final int WARM_UP_CONNECTIONS = 1_000;
    private static final int FD_HEADROOM = 1_000;
    private static final int IN_FLIGHT = 256;
    private static final long OPEN_TIMEOUT_MS = 20_000;
    private static final long HOLD_MS = 3_000;
    private static final int NEW_CLIENTS = 8;
    private static final int NEW_CLIENT_REQUESTS = 25;
    private static final long NEW_CLIENT_LATENCY_LIMIT_MS = 1_000;
    private static final long MAX_RSS_PER_CONNECTION_BYTES = 16 * 1024;
    private static final String HELLO = "Hello, World!";

    private String id;
    private int adminPort;
    private Process child;
    private Path shmDir;
    private Fleet warmUp;
    private Fleet idle;

    @AfterEach
    void closeAll() throws InterruptedException
    {
        // the listener first: its side of the 10,000 connections closes first and keeps the TIME_WAITs, not this
        // JVM's ephemeral ports
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
            child = null;
        }
        for (final Fleet fleet : new Fleet[] { idle, warmUp })
        {
            if (null != fleet)
            {
                fleet.close();
            }
        }
        idle = null;
        warmUp = null;
        if (null != shmDir)
        {
            try
            {
                SharedMemoryFiles.deletePrivateDirectory(shmDir);
            }
            catch (final IOException ignore)
            {
                // only tidying
            }
            shmDir = null;
        }
    }

    @Test
    void shouldHoldTenThousandIdleKeepAliveConnectionsAndServeNewClients() throws Exception
    {
        final long fdLimit = openFileLimit();
        Assumptions.assumeTrue(fdLimit >= CONNECTIONS + FD_HEADROOM,
            "needs " + CONNECTIONS + " client sockets in this JVM plus headroom (and as many in the listener's): " +
            "the open-file limit (ulimit -n) is " + fdLimit);
        final int ephemeralPorts = ephemeralPortCount();
        Assumptions.assumeTrue(ephemeralPorts >= CONNECTIONS + FD_HEADROOM,
            "needs " + CONNECTIONS + " ephemeral ports to one listener port; net.ipv4.ip_local_port_range has " +
            ephemeralPorts);

        final int port = startChild();
        final long pid = child.pid();
        final long childFdLimit = childOpenFileLimit(pid);
        Assumptions.assumeTrue(childFdLimit >= CONNECTIONS + FD_HEADROOM,
            "the listener JVM's open-file limit is " + childFdLimit);

        // warm-up: the accept path, the handler and the allocator have all run before the first reading
        warmUp = new Fleet(port);
        warmUp.open(WARM_UP_CONNECTIONS, OPEN_TIMEOUT_MS);
        warmUp.close();
        warmUp = null;
        awaitMetric("sluice_connections", 0, 5_000);
        final long rssBeforeKb = statusKb(pid, "VmRSS");
        final String heapBefore = liveHeap(pid);

        idle = new Fleet(port);
        final long openStartNs = System.nanoTime();
        idle.open(CONNECTIONS, OPEN_TIMEOUT_MS);
        final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStartNs);
        assertEquals(CONNECTIONS, idle.answered, "connections answered 200");
        assertEquals(CONNECTIONS, metric("sluice_connections"), "connections the listener counts open");

        final long[] latenciesNs = newClients(port);
        idle.watch(HOLD_MS);
        final long rssAfterKb = statusKb(pid, "VmRSS");
        final long hwmKb = statusKb(pid, "VmHWM");
        final String heapAfter = liveHeap(pid);

        final long rssPerConnection = (rssAfterKb - rssBeforeKb) * 1024 / CONNECTIONS;
        Arrays.sort(latenciesNs);
        System.out.printf("idle: %d keep-alive connections opened and answered in %d ms, all %d still open after " +
            "%d ms idle (listener counts %d)%n", CONNECTIONS, openMs, CONNECTIONS - idle.closedByPeer, HOLD_MS,
            metric("sluice_connections"));
        System.out.printf("idle: listener %s RSS %d KiB before, %d KiB after (peak %d KiB): %d bytes per idle " +
            "connection; live heap after a full GC: %s before, %s after%n",
            HEAP_LIMIT, rssBeforeKb, rssAfterKb, hwmKb, rssPerConnection, heapBefore, heapAfter);
        System.out.printf("idle: %d new-client requests meanwhile: p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
            latenciesNs.length, ms(latenciesNs[latenciesNs.length / 2]),
            ms(latenciesNs[(int)Math.ceil(latenciesNs.length * 0.99) - 1]), ms(latenciesNs[latenciesNs.length - 1]));

        assertEquals(0, idle.closedByPeer, "idle connections the listener closed before idleConnection");
        assertEquals(0, idle.unexpectedBytes, "idle connections that received bytes");
        assertEquals(CONNECTIONS, metric("sluice_connections"), "connections the listener counts open after the hold");
        assertTrue(child.isAlive(), "the listener exited");
        assertFalse(Files.readString(logDir().resolve("listener.log"), StandardCharsets.ISO_8859_1)
            .contains("OutOfMemoryError"), "the listener ran out of memory");
        assertTrue(latenciesNs[latenciesNs.length - 1] < TimeUnit.MILLISECONDS.toNanos(NEW_CLIENT_LATENCY_LIMIT_MS),
            "a new client's request took " + ms(latenciesNs[latenciesNs.length - 1]) + " ms");
        assertTrue(rssPerConnection < MAX_RSS_PER_CONNECTION_BYTES,
            "resident memory per idle connection: " + rssPerConnection + " bytes");
    }

    /**
     * Eight new clients, each on a fresh connection, send 25 requests one after another while the idle connections
     * are held; every answer must be 200 {@code Hello, World!}.
     *
     * @return each request's latency in nanoseconds.
     */
    private long[] newClients(final int port) throws Exception
    {
        final long[] latenciesNs = new long[NEW_CLIENTS * NEW_CLIENT_REQUESTS];
        final List<Throwable> failures = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < NEW_CLIENTS; c++)
        {
            final int client = c;
            final Thread thread = new Thread(
                () ->
                {
                    try (RawHttpClient http = new RawHttpClient(port))
                    {
                        for (int i = 0; i < NEW_CLIENT_REQUESTS; i++)
                        {
                            final long startNs = System.nanoTime();
                            final RawHttpClient.Response response = http.send(RawHttpClient.get("/inproc/", port));
                            latenciesNs[client * NEW_CLIENT_REQUESTS + i] = System.nanoTime() - startNs;
                            if (200 != response.status() || !HELLO.equals(response.bodyText()))
                            {
                                throw new AssertionError("new client " + client + " request " + i + ": " + response);
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        synchronized (failures)
                        {
                            failures.add(ex);
                        }
                    }
                },
                "new-client-" + client);
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (!failures.isEmpty())
        {
            final AssertionError error = new AssertionError(failures.size() + " new clients failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        return latenciesNs;
    }

    /**
     * Start {@code SluiceMain run} in a child JVM the way {@link ChildListener} does, with {@link #HEAP_LIMIT} and an
     * admin port, and wait until it serves.
     *
     * @return the listener's port.
     */
    private int startChild() throws IOException, InterruptedException
    {
        final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        id = "idle-" + suffix;
        shmDir = Path.of("/dev/shm", "sluice-test-" + suffix);
        Files.createDirectories(logDir());
        final int port = TestListener.freePort();
        adminPort = TestListener.freePort();
        final Path configFile = logDir().resolve("sluice.yaml");
        Files.writeString(configFile, CONFIG
            .replace("${PORT}", Integer.toString(port))
            .replace("${ADMIN_PORT}", Integer.toString(adminPort))
            .replace("${ID}", id)
            .replace("${SHM_DIR}", shmDir.toString()), StandardCharsets.UTF_8);

        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(WorkerCommand.workerJvmFlags());
        command.add(HEAP_LIMIT);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceMain.class.getName());
        command.add("run");
        command.add("--config");
        command.add(configFile.toString());
        child = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir().resolve("listener.log").toFile()))
            .start();

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            assertTrue(child.isAlive(), () -> "the listener exited: " + output());
            try (RawHttpClient client = new RawHttpClient(port))
            {
                if (client.send(RawHttpClient.get("/inproc/", port)).status() == 200)
                {
                    return port;
                }
            }
            catch (final IOException ex)
            {
                // not serving yet
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "the listener did not serve: " + output());
            Thread.sleep(50);
        }
    }

    private Path logDir()
    {
        return LOG_ROOT.resolve(id);
    }

    private String output()
    {
        try
        {
            return Files.readString(logDir().resolve("listener.log"), StandardCharsets.ISO_8859_1);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    /**
     * @return the value of an unlabelled line of the listener's {@code /metrics}.
     */
    private long metric(final String name) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/metrics", adminPort));
            assertEquals(200, response.status(), response::toString);
            final Matcher matcher = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(response.bodyText());
            assertTrue(matcher.find(), name + " not in /metrics: " + response.bodyText());
            return Long.parseLong(matcher.group(1));
        }
    }

    private void awaitMetric(final String name, final long expected, final long timeoutMs)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (metric(name) != expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
        }
        assertEquals(expected, metric(name), name + " not reached within " + timeoutMs + " ms");
    }

    private static long statusKb(final long pid, final String field) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith(field + ":"))
            {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /**
     * @return the listener's heap in use right after a full collection ({@code jcmd GC.run}, then
     * {@code GC.heap_info}), for the report only; {@code n/a} when jcmd cannot tell.
     */
    private static String liveHeap(final long pid)
    {
        try
        {
            jcmd(pid, "GC.run");
            final Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
            long totalKb = 0;
            int spaces = 0;
            // the first two "used" figures are the young and old generations of the serial collector
            while (spaces < 2 && used.find())
            {
                totalKb += Long.parseLong(used.group(1));
                spaces++;
            }
            return spaces == 2 ? (totalKb / 1024) + " MiB" : "n/a";
        }
        catch (final IOException | InterruptedException ex)
        {
            return "n/a (" + ex + ")";
        }
    }

    private static String jcmd(final long pid, final String command) throws IOException, InterruptedException
    {
        final Process jcmd = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
        final String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(10, TimeUnit.SECONDS) || 0 != jcmd.exitValue())
        {
            throw new IOException("jcmd " + command + " failed: " + output);
        }
        return output;
    }

    private static long openFileLimit()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 0;
    }

    private static long childOpenFileLimit(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits")))
        {
            if (line.startsWith("Max open files"))
            {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no open-file limit in /proc/" + pid + "/limits");
    }

    private static int ephemeralPortCount() throws IOException
    {
        // read by lines: a whole-file read of a sysctl file comes back short (its size reads as 0)
        final String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
            .split("\\s+");
        return Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
    }

    private static double ms(final long ns)
    {
        return ns / 1_000_000.0;
    }

    /**
     * Client connections on one selector, used from one thread: each connects, sends {@code GET /inproc/}, reads a
     * whole 200 {@code Hello, World!} answer, then stays open and silent, watched for the listener closing it.
     */
    private static final class Fleet implements AutoCloseable
    {
        private static final int READ_BUFFER_LENGTH = 4096;

        int answered;
        int closedByPeer;
        int unexpectedBytes;

        private final int port;
        private final byte[] request;
        private final Selector selector;
        private final List<SocketChannel> channels = new ArrayList<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_LENGTH);

        Fleet(final int port) throws IOException
        {
            this.port = port;
            this.request = RawHttpClient.get("/inproc/", port);
            this.selector = Selector.open();
        }

        /**
         * Open {@code count} connections, at most {@link #IN_FLIGHT} of them waiting for a connect or an answer at a
         * time (so the accept backlog never overflows), and return once every one is answered.
         */
        void open(final int count, final long timeoutMs) throws IOException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            int started = 0;
            while (answered < count)
            {
                while (started < count && started - answered < IN_FLIGHT)
                {
                    final SocketChannel channel = SocketChannel.open();
                    channels.add(channel);
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    final Connection connection = new Connection();
                    if (channel.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port)))
                    {
                        sendRequest(channel, connection);
                    }
                    else
                    {
                        channel.register(selector, SelectionKey.OP_CONNECT, connection);
                    }
                    started++;
                }
                selector.select(100);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    final SocketChannel channel = (SocketChannel)key.channel();
                    final Connection connection = (Connection)key.attachment();
                    if (key.isValid() && key.isConnectable())
                    {
                        channel.finishConnect();
                        sendRequest(channel, connection);
                    }
                    else if (key.isValid() && key.isReadable())
                    {
                        read(key, channel, connection);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("only " + answered + " of " + count + " connections answered within " +
                        timeoutMs + " ms (" + closedByPeer + " closed by the listener)");
                }
            }
        }

        /**
         * Watch the open connections for {@code ms}: any of them becoming readable was closed by the listener (or
         * sent something).
         */
        void watch(final long ms) throws IOException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            long leftMs;
            while ((leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())) > 0)
            {
                selector.select(leftMs);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    if (key.isValid() && key.isReadable())
                    {
                        read(key, (SocketChannel)key.channel(), (Connection)key.attachment());
                    }
                }
                selector.selectedKeys().clear();
            }
        }

        public void close()
        {
            for (final SocketChannel channel : channels)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // only tidying
                }
            }
            channels.clear();
            try
            {
                selector.close();
            }
            catch (final IOException ignore)
            {
                // only tidying
            }
        }

        private void sendRequest(final SocketChannel channel, final Connection connection) throws IOException
        {
            final int written = channel.write(ByteBuffer.wrap(request));
            if (written != request.length)
            {
                throw new IOException("partial request write: " + written + " of " + request.length);
            }
            channel.register(selector, SelectionKey.OP_READ, connection);
        }

        private void read(final SelectionKey key, final SocketChannel channel, final Connection connection)
            throws IOException
        {
            readBuffer.clear();
            int read;
            try
            {
                read = channel.read(readBuffer);
            }
            catch (final IOException reset)
            {
                read = -1;
            }
            if (read < 0)
            {
                closedByPeer++;
                key.cancel();
                channel.close();
                return;
            }
            if (connection.answered)
            {
                unexpectedBytes++;
                return;
            }
            readBuffer.flip();
            connection.append(readBuffer);
            final String response = connection.completeResponse();
            if (null != response)
            {
                if (!response.startsWith("HTTP/1.1 200 ") || !response.endsWith("\r\n\r\n" + HELLO))
                {
                    throw new AssertionError("unexpected answer: " + response);
                }
                connection.answered = true;
                connection.received = null;
                answered++;
            }
        }
    }

    /**
     * One client connection's state while it waits for its answer.
     */
    private static final class Connection
    {
        private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)$");

        boolean answered;
        byte[] received = new byte[0];

        void append(final ByteBuffer bytes)
        {
            final int length = received.length;
            received = Arrays.copyOf(received, length + bytes.remaining());
            bytes.get(received, length, bytes.remaining());
        }

        /**
         * @return the whole response once its head and Content-Length body are in, else null.
         */
        String completeResponse()
        {
            final String text = new String(received, StandardCharsets.ISO_8859_1);
            final int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0)
            {
                return null;
            }
            final Matcher matcher = CONTENT_LENGTH.matcher(text.substring(0, headEnd + 2));
            if (!matcher.find())
            {
                throw new AssertionError("answer without Content-Length: " + text);
            }
            final int length = headEnd + 4 + Integer.parseInt(matcher.group(1));
            return received.length >= length ? text : null;
        }
    }
}
