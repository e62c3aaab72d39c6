package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slowloris attack against a real listener: 1,000 connections each send a partial request head, then trickle one
 * more header byte every 200 ms, never finishing it. Meanwhile normal clients are served by the in-process and the
 * shared-memory queue, all 200 and fast; once the header wait (2 s) runs out every trickling connection is answered
 * 408 and closed.
 * <p>
 * The attackers are non-blocking channels driven by one thread and one selector; the normal clients are
 * {@link RawHttpClient}s on their own threads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlowlorisTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("headerWait", "2s")
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .yaml();

    private static final long HEADER_WAIT_MS = 2_000;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int TRICKLERS = 1_000;
    private static final long TRICKLE_INTERVAL_MS = 200;
    private static final long CLOSE_SLACK_MS = 3_000;
    private static final int NORMAL_CLIENTS = 8;
    private static final int NORMAL_REQUESTS = 100;
    private static final long NORMAL_PACING_MS = 5;
    private static final long NORMAL_LATENCY_LIMIT_MS = 1_000;
    private static final int PACE_REQUESTS = 20;
    private static final long SLOWDOWN_LIMIT = 4;
    private static final String HELLO = "Hello, World!";
    private static final String TIMEOUT_BODY = "request timeout: request head not received in time\n";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private int port;
    private Trickler trickler;
    private long normalStartNs;

    @BeforeEach
    void startListener() throws InterruptedException
    {
        listener = LISTENERS.start("slowloris", CONFIG);
        port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/", "/shm/");
        Await.value(0, () -> listener.listener().connections().openCount(), READY_TIMEOUT_MS);
    }

    @AfterEach
    void stopTrickler() throws InterruptedException
    {
        if (null != trickler)
        {
            trickler.shutDown();
            trickler = null;
        }
    }

    @Test
    void shouldServeNormalClientsWhileThousandConnectionsTrickleHeadersThenAnswer408() throws Exception
    {
        final long paceNs = measurePaceNs();
        trickler = new Trickler(port, TRICKLERS);
        trickler.start();
        assertTrue(trickler.established.await(10, TimeUnit.SECONDS),
            "only " + (TRICKLERS - trickler.established.getCount()) + " of " + TRICKLERS +
            " connections established: " + trickler);
        Await.value(TRICKLERS, () -> listener.listener().connections().openCount(), 5_000);

        final List<Sample> samples = normalTraffic();
        assertTrue(trickler.allEnded.await(HEADER_WAIT_MS + CLOSE_SLACK_MS, TimeUnit.MILLISECONDS),
            "trickling connections still open: " + (TRICKLERS - trickler.ended.get()));
        trickler.join();

        final int[] whileTrickling = new int[NORMAL_CLIENTS];
        for (final Sample sample : samples)
        {
            whileTrickling[sample.client] += sample.whileAllTrickling ? 1 : 0;
        }
        System.out.printf("slowloris: %d normal requests served, %d of them while all %d connections trickled%n",
            samples.size(), Arrays.stream(whileTrickling).sum(), TRICKLERS);
        for (final boolean phase : new boolean[] { true, false })
        {
            for (final boolean inProcess : new boolean[] { true, false })
            {
                System.out.printf("slowloris: normal latency %-8s %-32s %s%n", inProcess ? "/inproc/" : "/shm/",
                    phase ? "while all trickle:" : "while 408s go out, and after:",
                    percentiles(samples, inProcess, phase));
            }
        }
        System.out.printf("slowloris: trickling connections: %d answered 408 then closed, %d closed without an " +
            "answer (%d reset); %d header bytes trickled; lifetime from connect %d..%d ms (header wait %d ms)%n",
            trickler.answered408, trickler.closedSilently, trickler.reset, trickler.trickledBytes,
            trickler.minLifetimeMs(), trickler.maxLifetimeMs(), HEADER_WAIT_MS);

        // The time all connections trickled while normal clients ran is what is left of the header wait once the
        // attackers are connected, which on a loaded machine can be most of it; and a request there takes what the
        // machine gives. So each client must be answered at the pace the same clients had before the attack, slowed
        // at most SLOWDOWN_LIMIT times, over that time (and NORMAL_REQUESTS at most), not a fixed number.
        final long windowNs = trickler.firstEndedNs() - normalStartNs;
        final long expected = Math.max(1, Math.min(NORMAL_REQUESTS, windowNs / (SLOWDOWN_LIMIT * paceNs)));
        System.out.printf("slowloris: normal clients ran %d ms while all connections trickled (attackers connected " +
            "in %d ms); %.2f ms a request before the attack; each client needs %d answers in that time%n",
            TimeUnit.NANOSECONDS.toMillis(windowNs),
            TimeUnit.NANOSECONDS.toMillis(normalStartNs - trickler.firstConnectingNs()), ms(paceNs), expected);
        for (int client = 0; client < NORMAL_CLIENTS; client++)
        {
            assertTrue(whileTrickling[client] >= expected, "client " + client + " had only " +
                whileTrickling[client] + " requests answered in the " + TimeUnit.NANOSECONDS.toMillis(windowNs) +
                " ms all connections trickled");
        }
        final long maxMs = TimeUnit.NANOSECONDS.toMillis(
            samples.stream().mapToLong(Sample::latencyNs).max().orElseThrow());
        assertTrue(maxMs < NORMAL_LATENCY_LIMIT_MS, "a normal request took " + maxMs + " ms");
        assertEquals(List.of(), trickler.unexpectedAnswers, "trickling connections answered other than 408");
        assertEquals(TRICKLERS, trickler.answered408 + trickler.closedSilently);
        // measured from the connect call, which precedes the accept the listener's header wait starts at
        assertTrue(trickler.minLifetimeMs() >= HEADER_WAIT_MS,
            "a trickling connection ended after " + trickler.minLifetimeMs() + " ms, before the header wait");
        assertTrue(trickler.maxLifetimeMs() <= HEADER_WAIT_MS + CLOSE_SLACK_MS,
            "a trickling connection ended after " + trickler.maxLifetimeMs() + " ms");
        Await.value(0, () -> listener.listener().connections().openCount(), 5_000);
    }

    /**
     * Eight clients, each on its own keep-alive connection, send requests one after another, one every
     * {@link #NORMAL_PACING_MS} at most, alternating between the in-process and the shared-memory queue, until each
     * has sent {@link #NORMAL_REQUESTS} and every trickling connection has ended (or the time for that is up); every
     * answer must be 200 {@code Hello, World!}.
     *
     * @return every request's latency.
     */
    private List<Sample> normalTraffic() throws Exception
    {
        final List<Sample> samples = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        final CountDownLatch go = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        final long stopNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEADER_WAIT_MS + CLOSE_SLACK_MS);
        for (int c = 0; c < NORMAL_CLIENTS; c++)
        {
            final int client = c;
            final Thread thread = new Thread(
                () ->
                {
                    final List<Sample> mine = new ArrayList<>();
                    try (RawHttpClient http = new RawHttpClient(port))
                    {
                        go.await();
                        for (int i = 0; i < NORMAL_REQUESTS ||
                            (trickler.ended.get() < TRICKLERS && System.nanoTime() - stopNs < 0); i++)
                        {
                            final boolean inProcess = isInProcess(client, i);
                            final String path = inProcess ? "/inproc/" : "/shm/";
                            final long startNs = System.nanoTime();
                            final RawHttpClient.Response response = http.send(RawHttpClient.get(path, port));
                            final long latencyNs = System.nanoTime() - startNs;
                            mine.add(new Sample(client, inProcess, 0 == trickler.ended.get(), latencyNs));
                            if (200 != response.status() || !HELLO.equals(response.bodyText()))
                            {
                                throw new AssertionError("client " + client + " request " + i + " to " + path +
                                    ": " + response);
                            }
                            final long restMs = NORMAL_PACING_MS - TimeUnit.NANOSECONDS.toMillis(latencyNs);
                            if (restMs > 0)
                            {
                                Thread.sleep(restMs);
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
                    synchronized (samples)
                    {
                        samples.addAll(mine);
                    }
                },
                "normal-client-" + client);
            thread.start();
            threads.add(thread);
        }
        normalStartNs = System.nanoTime();
        go.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (!failures.isEmpty())
        {
            final AssertionError error = new AssertionError(failures.size() + " normal clients failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        return samples;
    }

    /**
     * The normal clients' pace on this machine now, before the attack: each sends {@link #PACE_REQUESTS} the way
     * {@link #normalTraffic()} does.
     *
     * @return the slowest client's time per request, pacing included.
     */
    private long measurePaceNs() throws Exception
    {
        final long[] elapsedNs = new long[NORMAL_CLIENTS];
        final List<Throwable> failures = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < NORMAL_CLIENTS; c++)
        {
            final int client = c;
            final Thread thread = new Thread(
                () ->
                {
                    try (RawHttpClient http = new RawHttpClient(port))
                    {
                        final long startNs = System.nanoTime();
                        for (int i = 0; i < PACE_REQUESTS; i++)
                        {
                            final long requestStartNs = System.nanoTime();
                            final String path = isInProcess(client, i) ? "/inproc/" : "/shm/";
                            final RawHttpClient.Response response = http.send(RawHttpClient.get(path, port));
                            assertEquals(200, response.status(), response::toString);
                            final long restMs =
                                NORMAL_PACING_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - requestStartNs);
                            if (restMs > 0)
                            {
                                Thread.sleep(restMs);
                            }
                        }
                        elapsedNs[client] = System.nanoTime() - startNs;
                    }
                    catch (final Throwable ex)
                    {
                        synchronized (failures)
                        {
                            failures.add(ex);
                        }
                    }
                },
                "pace-client-" + client);
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (!failures.isEmpty())
        {
            final AssertionError error =
                new AssertionError(failures.size() + " normal clients failed before the attack");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        Await.value(0, () -> listener.listener().connections().openCount(), READY_TIMEOUT_MS);
        return Arrays.stream(elapsedNs).max().orElseThrow() / PACE_REQUESTS;
    }

    private static boolean isInProcess(final int client, final int request)
    {
        return ((client + request) & 1) == 0;
    }

    private static String percentiles(final List<Sample> samples, final boolean inProcess, final boolean trickling)
    {
        final long[] sorted = samples.stream()
            .filter((sample) -> sample.inProcess == inProcess && sample.whileAllTrickling == trickling)
            .mapToLong(Sample::latencyNs)
            .sorted()
            .toArray();
        if (0 == sorted.length)
        {
            return "n=0";
        }
        return String.format("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms",
            sorted.length, ms(sorted[sorted.length / 2]), ms(sorted[(int)Math.ceil(sorted.length * 0.99) - 1]),
            ms(sorted[sorted.length - 1]));
    }

    private static double ms(final long ns)
    {
        return ns / 1_000_000.0;
    }

    /**
     * The attackers: one thread, one selector, {@code count} non-blocking connections. Each connects, sends a request
     * line, a Host header and the start of a third header, then one byte of that header's value every
     * {@link #TRICKLE_INTERVAL_MS} until the listener answers or closes. Counts how each connection ended.
     */
    private static final class Trickler extends Thread
    {
        private static final int RESPONSE_LIMIT = 1024;

        final CountDownLatch established;
        final CountDownLatch allEnded;
        final AtomicInteger ended = new AtomicInteger();
        final List<String> unexpectedAnswers = new ArrayList<>();
        int answered408;
        int closedSilently;
        int reset;
        long trickledBytes;

        private final int port;
        private final int count;
        private final byte[] head;
        private final long[] connectingNs;
        private final long[] endedNs;
        private final Selector selector;
        private volatile boolean running = true;
        private IOException failure;

        Trickler(final int port, final int count) throws IOException
        {
            super("slowloris-trickler");
            this.port = port;
            this.count = count;
            this.head = ("GET /inproc/ HTTP/1.1\r\nHost: " + RawHttpClient.LOOPBACK_ADDRESS + ":" + port +
                "\r\nX-Trickle: ").getBytes(StandardCharsets.US_ASCII);
            this.established = new CountDownLatch(count);
            this.allEnded = new CountDownLatch(count);
            this.connectingNs = new long[count];
            this.endedNs = new long[count];
            this.selector = Selector.open();
            setDaemon(true);
        }

        @Override
        public void run()
        {
            final List<Attacker> attackers = new ArrayList<>(count);
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    final Attacker attacker = new Attacker(i, channel);
                    attackers.add(attacker);
                    connectingNs[i] = System.nanoTime();
                    if (channel.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port)))
                    {
                        connected(attacker);
                    }
                    else
                    {
                        channel.register(selector, SelectionKey.OP_CONNECT, attacker);
                    }
                }
                final ByteBuffer readBuffer = ByteBuffer.allocate(RESPONSE_LIMIT);
                final ByteBuffer oneByte = ByteBuffer.allocate(1);
                long nextTrickleNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRICKLE_INTERVAL_MS);
                while (running && ended.get() < count)
                {
                    final long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTrickleNs - System.nanoTime()));
                    selector.select(waitMs);
                    for (final SelectionKey key : selector.selectedKeys())
                    {
                        final Attacker attacker = (Attacker)key.attachment();
                        if (key.isValid() && key.isConnectable())
                        {
                            attacker.channel.finishConnect();
                            connected(attacker);
                        }
                        else if (key.isValid() && key.isReadable())
                        {
                            read(attacker, readBuffer);
                        }
                    }
                    selector.selectedKeys().clear();
                    if (System.nanoTime() - nextTrickleNs >= 0)
                    {
                        nextTrickleNs += TimeUnit.MILLISECONDS.toNanos(TRICKLE_INTERVAL_MS);
                        for (final Attacker attacker : attackers)
                        {
                            if (attacker.trickling())
                            {
                                trickle(attacker, oneByte);
                            }
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
            finally
            {
                for (final Attacker attacker : attackers)
                {
                    closeQuietly(attacker.channel);
                }
                try
                {
                    selector.close();
                }
                catch (final IOException ignore)
                {
                    // only tidying
                }
            }
        }

        void shutDown() throws InterruptedException
        {
            running = false;
            selector.wakeup();
            join(5_000);
        }

        long firstConnectingNs()
        {
            long first = Long.MAX_VALUE;
            for (int i = 0; i < count; i++)
            {
                first = Math.min(first, connectingNs[i]);
            }
            return first;
        }

        long firstEndedNs()
        {
            long first = Long.MAX_VALUE;
            for (int i = 0; i < count; i++)
            {
                first = Math.min(first, endedNs[i]);
            }
            return first;
        }

        long minLifetimeMs()
        {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < count; i++)
            {
                min = Math.min(min, endedNs[i] - connectingNs[i]);
            }
            return TimeUnit.NANOSECONDS.toMillis(min);
        }

        long maxLifetimeMs()
        {
            long max = Long.MIN_VALUE;
            for (int i = 0; i < count; i++)
            {
                max = Math.max(max, endedNs[i] - connectingNs[i]);
            }
            return TimeUnit.NANOSECONDS.toMillis(max);
        }

        @Override
        public String toString()
        {
            return "Trickler{ended=" + ended + ", failure=" + failure + "}";
        }

        private void connected(final Attacker attacker) throws IOException
        {
            final int written = attacker.channel.write(ByteBuffer.wrap(head));
            if (written != head.length)
            {
                throw new IOException("partial head write: " + written + " of " + head.length);
            }
            attacker.channel.register(selector, SelectionKey.OP_READ, attacker);
            attacker.connected = true;
            established.countDown();
        }

        private void trickle(final Attacker attacker, final ByteBuffer oneByte)
        {
            oneByte.clear();
            oneByte.put((byte)'a').flip();
            try
            {
                trickledBytes += attacker.channel.write(oneByte);
            }
            catch (final IOException ex)
            {
                // the listener closed it: what it sent first (if anything) is still to be read
                attacker.writeFailed = true;
            }
        }

        private void read(final Attacker attacker, final ByteBuffer readBuffer)
        {
            readBuffer.clear();
            int read;
            boolean wasReset = false;
            try
            {
                read = attacker.channel.read(readBuffer);
            }
            catch (final IOException ex)
            {
                read = -1;
                wasReset = true;
            }
            if (read > 0)
            {
                attacker.response = Arrays.copyOf(attacker.response, attacker.response.length + read);
                readBuffer.flip();
                readBuffer.get(attacker.response, attacker.response.length - read, read);
                if (attacker.response.length > RESPONSE_LIMIT)
                {
                    end(attacker, false);
                }
            }
            else if (read < 0)
            {
                end(attacker, wasReset);
            }
        }

        private void end(final Attacker attacker, final boolean wasReset)
        {
            endedNs[attacker.index] = System.nanoTime();
            attacker.ended = true;
            closeQuietly(attacker.channel);
            final String response = new String(attacker.response, StandardCharsets.ISO_8859_1);
            if (response.isEmpty())
            {
                closedSilently++;
                if (wasReset)
                {
                    reset++;
                }
            }
            else if (response.startsWith("HTTP/1.1 408 ") && response.endsWith("\r\n\r\n" + TIMEOUT_BODY))
            {
                answered408++;
            }
            else
            {
                unexpectedAnswers.add(attacker.index + ": " + response);
            }
            ended.incrementAndGet();
            allEnded.countDown();
        }

        private static void closeQuietly(final SocketChannel channel)
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
    }

    /**
     * One normal request.
     *
     * @param client            which client sent it.
     * @param inProcess         true for {@code /inproc/}, false for {@code /shm/}.
     * @param whileAllTrickling true when no trickling connection had ended yet when its answer arrived.
     * @param latencyNs         from writing the request to reading the whole answer.
     */
    private record Sample(int client, boolean inProcess, boolean whileAllTrickling, long latencyNs)
    {
    }

    /**
     * One attacking connection's state; confined to the trickler thread.
     */
    private static final class Attacker
    {
        final int index;
        final SocketChannel channel;
        boolean connected;
        boolean ended;
        boolean writeFailed;
        byte[] response = new byte[0];

        Attacker(final int index, final SocketChannel channel)
        {
            this.index = index;
            this.channel = channel;
        }

        boolean trickling()
        {
            return connected && !ended && !writeFailed && response.length == 0;
        }
    }
}
