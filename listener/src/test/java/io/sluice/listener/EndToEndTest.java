package io.sluice.listener;

import io.netty.util.ResourceLeakDetector;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import static io.sluice.listener.RawHttpClient.ascii;
import static io.sluice.listener.RawHttpClient.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The same HTTP scenarios against each hosting model of one listener: in-process ({@code /inproc/}), shared memory
 * ({@code /shm/}, a real worker process) and loopback forwarding ({@code /loopback/}, a real worker process behind its
 * own 127.0.0.1 server). Every queue serves {@code SampleHandler}, so every path must answer byte for byte alike.
 * <p>
 * The listener is started once for the class (worker start-up is the slow part) by {@link #LISTENER}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndToEndTest
{
    private static final String CONFIG = TestListener.allModelsConfig(SampleHandler.class.getName());

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final String HELLO = "Hello, World!";
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final int CLIENT_COUNT = 64;
    private static final int REQUESTS_PER_CLIENT = 500;
    // no answer to any client for this long is a stall; the total time is what the machine can give
    private static final long STALL_LIMIT_MS = 20_000;
    private static final long PROGRESS_POLL_MS = 100;
    private static final int PIPELINE_DEPTH = 10;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("e2e", CONFIG);

    private static final Map<String, RawHttpClient.Response> READINESS = new ConcurrentHashMap<>();

    static Stream<Arguments> pathsAndBodyLengths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : List.of("/inproc/", "/shm/", "/loopback/"))
        {
            for (final int length : new int[] { 0, 1, KIB, 4 * KIB, 256 * KIB, MIB, 10 * MIB })
            {
                arguments.add(Arguments.of(path, length));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldAnswerHelloAsTextPlain(final String path) throws Exception
    {
        awaitReady(path);
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(path, port()));

            assertEquals(200, response.status(), response::toString);
            assertEquals("text/plain", response.header("content-type"), response::toString);
            assertEquals("13", response.header("content-length"), response::toString);
            assertEquals(1, response.headerCount("content-length"), response::toString);
            assertNull(response.header("transfer-encoding"), response::toString);
            assertEquals(HELLO, response.bodyText());
        }
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("pathsAndBodyLengths")
    void shouldEchoBodySentWithContentLength(final String path, final int length) throws Exception
    {
        awaitReady(path);
        final byte[] body = randomBytes(length, 1000L + length);
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.sendWhileReading(
                RawHttpClient.post(path + "echo", port(), OCTET_STREAM, body));

            assertEquals(200, response.status(), response::toString);
            assertEquals(OCTET_STREAM, response.header("content-type"), response::toString);
            assertEquals(Integer.toString(length), response.header("content-length"), response::toString);
            assertArrayEquals(body, response.body());
        }
    }

    /**
     * A shared-memory worker gets a body inline in its request head when head and body fit in
     * {@link RequestHeadEncoder#INLINE_MESSAGE_MAX_LENGTH} bytes: one byte short of it, exactly, and one byte past it
     * (then in a chunk) come back alike, and so on every other path.
     */
    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldEchoBodiesAroundTheInlineLimit(final String path) throws Exception
    {
        awaitReady(path);
        final int limit = inlineLimitBodyLength(path + "echo");
        for (final int length : new int[] { limit - 1, limit, limit + 1 })
        {
            final byte[] body = randomBytes(length, 3000L + length);
            try (RawHttpClient client = new RawHttpClient(port()))
            {
                final RawHttpClient.Response response = client.sendWhileReading(
                    RawHttpClient.post(path + "echo", port(), OCTET_STREAM, body));

                assertEquals(200, response.status(), response::toString);
                assertEquals(Integer.toString(length), response.header("content-length"), response::toString);
                assertArrayEquals(body, response.body(), "a body of " + length + " bytes");
            }
        }
    }

    /**
     * @return the body length that makes the {@code REQUEST_HEAD} of {@link RawHttpClient#post} exactly
     * {@link RequestHeadEncoder#INLINE_MESSAGE_MAX_LENGTH} bytes long: its fixed part, method, target, the client's
     * address, and its three header entries (Host, Content-Type, Content-Length).
     */
    private static int inlineLimitBodyLength(final String target)
    {
        final String host = RawHttpClient.LOOPBACK_ADDRESS + ":" + port();
        int length = RequestHeadEncoder.INLINE_MESSAGE_MAX_LENGTH;
        for (int i = 0; i < 3; i++)
        {
            final int head = RequestHeadEncoder.length(
                "POST".length(), target.length(), RawHttpClient.LOOPBACK_ADDRESS.length(),
                MessageDescriptor.headerEntryLength("Host".length(), host.length()) +
                MessageDescriptor.headerEntryLength("Content-Type".length(), OCTET_STREAM.length()) +
                MessageDescriptor.headerEntryLength("Content-Length".length(), Integer.toString(length).length()));
            length = RequestHeadEncoder.INLINE_MESSAGE_MAX_LENGTH - head;
        }
        return length;
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("pathsAndBodyLengths")
    void shouldEchoBodySentChunked(final String path, final int length) throws Exception
    {
        awaitReady(path);
        final byte[] body = randomBytes(length, 2000L + length);
        final byte[] request = concat(
            RawHttpClient.request(
                "POST", path + "echo", RawHttpClient.LOOPBACK_ADDRESS + ":" + port(),
                "Content-Type: " + OCTET_STREAM,
                "Transfer-Encoding: chunked"),
            RawHttpClient.chunked(body, new Random(length), 70_000));
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.sendWhileReading(request);

            assertEquals(200, response.status(), response::toString);
            assertEquals(OCTET_STREAM, response.header("content-type"), response::toString);
            assertArrayEquals(body, response.body());
        }
    }

    /**
     * Every client gets every answer, each its own body. Not a rate: on a loaded machine the run may take minutes,
     * but it must keep going; no answer to any client for {@link #STALL_LIMIT_MS} fails it, naming the waiting clients.
     */
    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldAnswerEveryRequestOfConcurrentKeepAliveClientsWithItsOwnBody(final String path) throws Exception
    {
        awaitReady(path);
        final int port = port();
        final CountDownLatch go = new CountDownLatch(1);
        final ExecutorService executor = Executors.newFixedThreadPool(CLIENT_COUNT);
        final AtomicIntegerArray progress = new AtomicIntegerArray(CLIENT_COUNT);
        // 32,000 requests: the paranoid leak detector, recording every access of every buffer, would take most of
        // the run; the other scenarios keep it on, so the same paths are still tracked
        final ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try
        {
            final List<Future<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENT_COUNT; c++)
            {
                final int clientIndex = c;
                clients.add(executor.submit(() -> runKeepAliveClient(path, port, clientIndex, go, progress)));
            }
            go.countDown();
            awaitProgress(path, clients, progress);

            int answered = 0;
            for (final Future<Integer> client : clients)
            {
                answered += resultOf(client);
            }
            assertEquals(CLIENT_COUNT * REQUESTS_PER_CLIENT, answered);
        }
        finally
        {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
            ResourceLeakDetector.setLevel(leakDetection);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldAnswerPipelinedRequestsInOrder(final String path) throws Exception
    {
        awaitReady(path);
        final byte[][] requests = new byte[PIPELINE_DEPTH][];
        for (int i = 0; i < PIPELINE_DEPTH; i++)
        {
            requests[i] = i % 2 == 0 ?
                RawHttpClient.get(path, port()) :
                RawHttpClient.post(path + "echo", port(), "text/plain", ascii(pipelinedBody(path, i)));
        }
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            client.write(concat(requests));

            for (int i = 0; i < PIPELINE_DEPTH; i++)
            {
                final RawHttpClient.Response response = client.readResponse(false);
                final String expectedBody = i % 2 == 0 ? HELLO : pipelinedBody(path, i);
                final String where = "response " + i + ": " + response;
                assertEquals(200, response.status(), where);
                assertEquals("text/plain", response.header("content-type"), where);
                assertEquals(expectedBody, response.bodyText(), where);
            }
            assertFalse(client.isClosedByPeer(100), "connection should stay open after the pipeline");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldAnswerHeadWithContentLengthAndNoBody(final String path) throws Exception
    {
        awaitReady(path);
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            client.write(RawHttpClient.request("HEAD", path, RawHttpClient.LOOPBACK_ADDRESS + ":" + port()));
            final RawHttpClient.Response head = client.readResponse(true);

            assertEquals(200, head.status(), head::toString);
            assertEquals("text/plain", head.header("content-type"), head::toString);
            assertEquals("13", head.header("content-length"), head::toString);
            assertEquals(1, head.headerCount("content-length"), head::toString);
            assertNull(head.header("transfer-encoding"), head::toString);

            // Any body bytes after the HEAD response would corrupt the next response's status line.
            final RawHttpClient.Response next = client.send(RawHttpClient.get(path, port()));
            assertEquals(200, next.status(), next::toString);
            assertEquals(HELLO, next.bodyText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldSendContinueBeforeEchoWhenExpected(final String path) throws Exception
    {
        awaitReady(path);
        final byte[] body = ascii("continued body for " + path);
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            client.write(RawHttpClient.request(
                "POST", path + "echo", RawHttpClient.LOOPBACK_ADDRESS + ":" + port(),
                "Content-Type: text/plain",
                "Content-Length: " + body.length,
                "Expect: 100-continue"));
            final RawHttpClient.Response interim = client.readHead();

            assertEquals(100, interim.status(), interim::toString);
            assertEquals("Continue", interim.reason());
            assertEquals(0, interim.headers().size(), interim::toString);

            client.write(body);
            final RawHttpClient.Response response = client.readResponse(false);
            assertEquals(200, response.status(), response::toString);
            assertEquals("text/plain", response.header("content-type"), response::toString);
            assertArrayEquals(body, response.body());
        }
    }

    private static int runKeepAliveClient(final String path, final int port, final int clientIndex,
        final CountDownLatch go, final AtomicIntegerArray progress) throws Exception
    {
        go.await();
        int answered = 0;
        try (RawHttpClient client = new RawHttpClient(port))
        {
            for (int r = 0; r < REQUESTS_PER_CLIENT; r++)
            {
                final String body = "client-" + clientIndex + "-req-" + r;
                final RawHttpClient.Response response =
                    client.send(RawHttpClient.post(path + "echo", port, "text/plain", ascii(body)));
                if (response.status() != 200 || !body.equals(response.bodyText()))
                {
                    fail("client " + clientIndex + " request " + r + " (" + body + ") got " + response);
                }
                answered++;
                progress.lazySet(clientIndex, answered);
            }
        }
        return answered;
    }

    /**
     * Wait until every client has ended, failing when no client got an answer for {@link #STALL_LIMIT_MS}.
     */
    private static void awaitProgress(
        final String path, final List<Future<Integer>> clients, final AtomicIntegerArray progress) throws Exception
    {
        long lastTotal = -1;
        long lastProgressNs = System.nanoTime();
        while (!clients.stream().allMatch(Future::isDone))
        {
            long total = 0;
            for (int c = 0; c < progress.length(); c++)
            {
                total += progress.get(c);
            }
            final long nowNs = System.nanoTime();
            if (total != lastTotal)
            {
                lastTotal = total;
                lastProgressNs = nowNs;
            }
            else if (nowNs - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(STALL_LIMIT_MS))
            {
                final StringBuilder waiting = new StringBuilder();
                for (int c = 0; c < clients.size(); c++)
                {
                    if (!clients.get(c).isDone())
                    {
                        waiting.append(" client ").append(c).append(" at request ").append(progress.get(c));
                    }
                }
                fail(path + ": no answer for " + STALL_LIMIT_MS + " ms after " + total + " of " +
                    CLIENT_COUNT * REQUESTS_PER_CLIENT + "; waiting:" + waiting);
            }
            Thread.sleep(PROGRESS_POLL_MS);
        }
    }

    private static int resultOf(final Future<Integer> client) throws Exception
    {
        try
        {
            return client.get(50, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof Error error)
            {
                throw error;
            }
            throw (Exception)ex.getCause();
        }
    }

    private static String pipelinedBody(final String path, final int index)
    {
        return "pipelined-" + index + "-" + path;
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int port()
    {
        return LISTENER.port();
    }

    /**
     * Workers start asynchronously; wait once per path for a 200 and remember the outcome, so a path that never comes
     * up costs its wait once, not once per test.
     */
    private static void awaitReady(final String path) throws InterruptedException
    {
        assertNotNull(LISTENER.get(), "listener did not start");
        RawHttpClient.Response readiness = READINESS.get(path);
        if (null == readiness)
        {
            final RawHttpClient.Response last = LISTENER.get().awaitOk(path, READY_TIMEOUT_MS);
            readiness = null == last ? new RawHttpClient.Response(0, "no response", List.of(), new byte[0]) : last;
            READINESS.put(path, readiness);
        }
        if (readiness.status() != 200)
        {
            fail("GET " + path + " did not answer 200 within " + READY_TIMEOUT_MS + " ms; last answer: " +
                readiness);
        }
    }
}
