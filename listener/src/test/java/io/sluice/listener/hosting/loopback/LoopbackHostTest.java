package io.sluice.listener.hosting.loopback;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.Listener;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.RequestQueue;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackHostTest
{
    private static final String QUEUE = "loopback";
    private static final int ONE_MIB = 1024 * 1024;

    private Listener listener;
    private HttpClient client;
    private int port;

    @BeforeEach
    void setUp() throws IOException
    {
        port = freePort();
        final WorkerConfiguration worker = new WorkerConfiguration(
            List.of(), Map.of(), 1, 30_000, 2, 10, 5_000, WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT,
            WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED, null);
        final QueueConfiguration queue = new QueueConfiguration(
            QUEUE,
            List.of("http://127.0.0.1:" + port + "/loopback/"),
            HostingMode.LOOPBACK_FORWARD,
            ProbeHandler.class.getName(),
            QueueConfiguration.QUEUE_LENGTH_DEFAULT,
            QueueConfiguration.RING_CAPACITY_NONE,
            worker);
        final ListenerConfiguration config = new ListenerConfiguration(
            "loopback-host-test",
            "127.0.0.1",
            1,
            Path.of("/dev/shm/sluice-loopback-host-test"),
            ListenerConfiguration.ADMIN_PORT_DISABLED,
            ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT,
            ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT,
            ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT,
            List.of(queue));
        listener = new Listener(config).start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void tearDown()
    {
        if (null != listener)
        {
            listener.close();
        }
    }

    @Test
    void shouldForwardRequestWhenWorkerBecomesReady() throws Exception
    {
        final HttpResponse<String> response = client.send(request("/loopback/").build(), ofString());

        assertEquals(200, response.statusCode());
        assertEquals("text/plain", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("Hello, World!", response.body());
    }

    @Test
    void shouldEchoBodyWhenContentLengthGiven() throws Exception
    {
        final byte[] body = randomBytes(ONE_MIB, 3);

        final HttpResponse<byte[]> response = client.send(
            request("/loopback/echo").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertArrayEquals(body, response.body());
    }

    @Test
    void shouldEchoBodyWhenChunked() throws Exception
    {
        final byte[] body = randomBytes(ONE_MIB, 4);

        final HttpResponse<byte[]> response = client.send(
            request("/loopback/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertArrayEquals(body, response.body());
    }

    @Test
    void shouldHideForwardingHeadersFromHandlerAndIgnoreClientsOwn() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/loopback/headers")
                .header("Sluice-Token", "forged")
                .header("Sluice-Event", "shutdown")
                .header("X-Forwarded-For", "203.0.113.9")
                .header("X-Forwarded-Proto", "https")
                .header("X-Kept", "yes")
                .build(),
            ofString());

        assertEquals(200, response.statusCode());
        assertEquals(
            "remote=127.0.0.1 xff=null proto=null appl=null token=null event=null kept=yes",
            response.body());
        assertEquals("Hello, World!", client.send(request("/loopback/").build(), ofString()).body());
    }

    @Test
    void shouldSendHeadersOnlyWhenMethodIsHead() throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((
                "HEAD /loopback/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
                "GET /loopback/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();

            final String head = readHead(in);
            assertTrue(head.startsWith("http/1.1 200 ok\r\n"), head);
            assertTrue(head.contains("content-length: 13\r\n"), head);
            final String get = readHead(in);
            assertTrue(get.startsWith("http/1.1 200 ok\r\n"), get);
            assertEquals("Hello, World!", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldAnswer502WhenWorkerDiesMidRequestAndServeAgainAfterRestart() throws Exception
    {
        assertEquals(200, client.send(request("/loopback/").build(), ofString()).statusCode());
        final LoopbackHost host = (LoopbackHost)listener.host(QUEUE);
        final long pid = host.supervisor().pid(0);

        // a POST: a GET the worker had started would be sent again, to the replacement
        final CompletableFuture<HttpResponse<String>> sleeping = client.sendAsync(
            request("/loopback/sleep?ms=20000").POST(HttpRequest.BodyPublishers.noBody()).build(), ofString());
        awaitRequestsInFlight();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertEquals(502, sleeping.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, client.send(request("/loopback/").build(), ofString()).statusCode());
        assertNotEquals(pid, host.supervisor().pid(0));
    }

    @Test
    void shouldStopWorkerWhenListenerCloses() throws Exception
    {
        assertEquals(200, client.send(request("/loopback/").build(), ofString()).statusCode());
        final LoopbackHost host = (LoopbackHost)listener.host(QUEUE);
        final ProcessHandle worker = ProcessHandle.of(host.supervisor().pid(0)).orElseThrow();

        listener.close();
        listener = null;

        worker.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(worker.isAlive());
    }

    private void awaitRequestsInFlight() throws InterruptedException
    {
        final RequestQueue queue = listener.queue(QUEUE);
        while (queue.length() == 0)
        {
            Thread.sleep(5);
        }
        // The request is admitted; give the worker a moment to receive it before it is killed.
        Thread.sleep(200);
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private static HttpResponse.BodyHandler<String> ofString()
    {
        return HttpResponse.BodyHandlers.ofString();
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed in the head: " + head);
            }
            head.append((char)b);
        }
        return head.toString().toLowerCase(Locale.ROOT);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * The worker's handler in these tests: {@code /headers} describes what the worker saw; everything else is the
     * sample application. Public with a public constructor: the worker process loads it by name.
     */
    public static final class ProbeHandler implements Handler
    {
        private final SampleHandler sample = new SampleHandler();

        /**
         * {@inheritDoc}
         */
        public void onRequest(final Exchange exchange)
        {
            if (!exchange.path().endsWith("/headers"))
            {
                sample.onRequest(exchange);
                return;
            }
            final String text = "remote=" + exchange.remoteAddress() +
                " xff=" + exchange.header("x-forwarded-for") +
                " proto=" + exchange.header("x-forwarded-proto") +
                " appl=" + exchange.header("sluice-appl-path") +
                " token=" + exchange.header("sluice-token") +
                " event=" + exchange.header("sluice-event") +
                " kept=" + exchange.header("x-kept");
            exchange.respond(200, "text/plain", text.getBytes(StandardCharsets.US_ASCII));
        }

        /**
         * {@inheritDoc}
         */
        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            sample.onBody(exchange, buffer, offset, length, last);
        }
    }
}
