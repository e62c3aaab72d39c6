package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.sample.SampleHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopbackWorkerTest
{
    private static final String TOKEN = "t0k3n";
    private static final String APPLICATION_PATH = "/loopback/";
    private static final int ONE_MIB = 1024 * 1024;

    private final AtomicReference<Throwable> serveFailure = new AtomicReference<>();
    private int port;
    private Thread serveThread;
    private HttpClient client;

    @BeforeEach
    void setUp() throws Exception
    {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        start(new SampleHandler());
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (serveThread.isAlive())
        {
            serveThread.interrupt();
            serveThread.join(10_000);
        }
        assertFalse(serveThread.isAlive());
        assertNull(serveFailure.get());
    }

    @Test
    void shouldAnswer400WhenTokenMissing() throws Exception
    {
        final RawResponse response = exchangeAndClose("GET /loopback/ HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals(400, response.status);
        assertEquals("close", response.headers.get("connection"));
    }

    @Test
    void shouldAnswer400WhenTokenWrong() throws Exception
    {
        final RawResponse response = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: t0k3m\r\n\r\n");

        assertEquals(400, response.status);
        assertEquals("close", response.headers.get("connection"));
    }

    @Test
    void shouldAnswer400WhenTokenIsAPrefixOfTheRightOne() throws Exception
    {
        final RawResponse response = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: t0k3\r\n\r\n");

        assertEquals(400, response.status);
    }

    @Test
    void shouldAnswerTheReadinessProbeWithTheProofOfTheTokenAndNoTokenNeeded() throws Exception
    {
        final String challenge = "00112233445566778899aabbccddeeff";
        final RawResponse response = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Event: ready\r\nSluice-Challenge: " + challenge + "\r\n\r\n");

        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        final String expected = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(200, response.status);
        assertEquals(expected, response.headers.get("sluice-proof"));
        assertEquals("close", response.headers.get("connection"));
        assertFalse(new String(response.body, StandardCharsets.US_ASCII).contains(TOKEN));
    }

    @Test
    void shouldAnswer400WhenTheReadinessProbeHasNoValidChallenge() throws Exception
    {
        final RawResponse missing = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Event: ready\r\n\r\n");
        final RawResponse notHex = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Event: ready\r\nSluice-Challenge: xyz\r\n\r\n");

        assertEquals(400, missing.status);
        assertNull(missing.headers.get("sluice-proof"));
        assertEquals(400, notHex.status);
        assertNull(notHex.headers.get("sluice-proof"));
    }

    @Test
    void shouldAnswerHelloWhenTokenPresent() throws Exception
    {
        final HttpResponse<byte[]> response = client.send(
            request("/loopback/").GET().build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertEquals("text/plain", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("Hello, World!", new String(response.body(), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldEchoBodyWhenContentLengthGiven() throws Exception
    {
        final byte[] body = randomBytes(ONE_MIB, 1);

        final HttpResponse<byte[]> response = client.send(
            request("/loopback/echo").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertEquals(Long.toString(ONE_MIB), response.headers().firstValue("content-length").orElseThrow());
        assertArrayEquals(body, response.body());
    }

    @Test
    void shouldEchoBodyWhenChunked() throws Exception
    {
        final byte[] body = randomBytes(ONE_MIB, 2);

        final HttpResponse<byte[]> response = client.send(
            request("/loopback/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertEquals("chunked", response.headers().firstValue("transfer-encoding").orElseThrow());
        assertArrayEquals(body, response.body());
    }

    @Test
    void shouldHoldTheHandlerBackWhileTheListenerSideDoesNotReadAndResumeItWhenItDoes() throws Exception
    {
        final StreamingHandler handler = new StreamingHandler(10 * ONE_MIB);
        restart(handler);
        try (Socket socket = new Socket())
        {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /loopback/stream HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN +
                "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            // not reading: the handler is told to stop once the connection (and the kernel behind it) is full
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long previous = -1;
            while (handler.sent.get() != previous || handler.refusals.get() == 0)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the handler never settled: " + handler.sent.get());
                previous = handler.sent.get();
                Thread.sleep(200);
            }
            assertTrue(handler.sent.get() < 5 * ONE_MIB, "sent " + handler.sent.get() + " to a client reading none");
            // the kernel took what it could (each time the connection drained, onWritable came); now one false waits
            assertEquals(handler.refusals.get(), handler.writableCalls.get() + 1, "one false waits for its onWritable");

            final RawResponse response = RawResponse.read(socket.getInputStream());
            assertEquals(200, response.status);
            assertEquals(10 * ONE_MIB, response.body.length);
            for (int i = 0; i < response.body.length; i++)
            {
                if (response.body[i] != StreamingHandler.byteAt(i))
                {
                    throw new AssertionError("body byte " + i + " differs");
                }
            }
            assertEquals(handler.refusals.get(), handler.writableCalls.get(), "one onWritable per false");
            assertTrue(handler.writableCalls.get() > 0);
        }
    }

    @Test
    void shouldAnswer404WhenPathOutsideApplicationPath() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/other/").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(404, response.statusCode());
    }

    @Test
    void shouldServeApplicationPathWhenTrailingSlashMissingOrCaseDiffers() throws Exception
    {
        assertEquals(200, client.send(request("/loopback").GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
        assertEquals(200, client.send(request("/LoopBack/x").GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
        assertEquals(404, client.send(request("/loopbackx").GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
    }

    @Test
    void shouldServePathWhenItOnlyMatchesOnceDecoded() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/other/../loop%62ack/").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
    }

    @Test
    void shouldServePathWhenUnderTheApplicationPathTheListenerMatched() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/second/").header("Sluice-Appl-Path", "/second/").GET().build(),
            HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
    }

    @Test
    void shouldAnswer400WhenEventUnknown() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/loopback/").header("Sluice-Event", "reboot").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(400, response.statusCode());
        assertTrue(serveThread.isAlive());
    }

    @Test
    void shouldStopWhenShutdownEventArrives() throws Exception
    {
        final HttpResponse<String> response = client.send(
            request("/loopback/").header("Sluice-Event", "shutdown").GET().build(),
            HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        serveThread.join(10_000);
        assertFalse(serveThread.isAlive());
    }

    @Test
    void shouldNotStopWhenShutdownEventCarriesWrongToken() throws Exception
    {
        final RawResponse response = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: nope\r\nSluice-Event: shutdown\r\n\r\n");

        assertEquals(400, response.status);
        assertEquals(200, client.send(request("/loopback/").GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderWhenSentTogether() throws Exception
    {
        try (Socket socket = connect())
        {
            final String get = "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN + "\r\n\r\n";
            final String sleep = "GET /loopback/sleep?ms=50 HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN + "\r\n\r\n";
            final String echo = "POST /loopback/echo HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN +
                "\r\nContent-Length: 3\r\n\r\nabc";
            socket.getOutputStream().write((sleep + get + echo + get).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();

            assertEquals("slept", new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals("Hello, World!", new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals("abc", new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals("Hello, World!", new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldSendHeadersOnlyWhenMethodIsHead() throws Exception
    {
        try (Socket socket = connect())
        {
            final String head = "HEAD /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN + "\r\n\r\n";
            final String get = "GET /loopback/ HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN + "\r\n\r\n";
            socket.getOutputStream().write((head + get).getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();

            final RawResponse headResponse = RawResponse.readHead(in);
            assertEquals(200, headResponse.status);
            assertEquals("13", headResponse.headers.get("content-length"));
            final RawResponse getResponse = RawResponse.read(in);
            assertEquals("Hello, World!", new String(getResponse.body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldCloseConnectionWhenRequestAsksForIt() throws Exception
    {
        final RawResponse response = exchangeAndClose(
            "GET /loopback/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\nSluice-Token: " + TOKEN + "\r\n\r\n");

        assertEquals(200, response.status);
        assertEquals("close", response.headers.get("connection"));
    }

    @Test
    void shouldTakeRemoteAddressFromForwardedForWhenPresent() throws Exception
    {
        restart(new ProbeHandler());

        final HttpResponse<String> forwarded = client.send(
            request("/loopback/").header("X-Forwarded-For", "203.0.113.7").GET().build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> direct = client.send(
            request("/loopback/").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals("203.0.113.7 token=null", forwarded.body());
        assertEquals("127.0.0.1 token=null", direct.body());
    }

    @Test
    void shouldCallOnAbortWhenConnectionClosesBeforeResponse() throws Exception
    {
        final ProbeHandler probe = new ProbeHandler();
        restart(probe);

        try (Socket socket = connect())
        {
            socket.getOutputStream().write(("GET /loopback/never HTTP/1.1\r\nHost: a\r\nSluice-Token: " + TOKEN +
                "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(probe.received.await(10, TimeUnit.SECONDS));
        }

        assertTrue(probe.aborted.await(10, TimeUnit.SECONDS));
    }

    private void start(final Handler handler) throws Exception
    {
        port = freePort();
        final WorkerEnvironment env = new WorkerEnvironment(
            "test", WorkerEnvironment.LOOPBACK, null, port, TOKEN, APPLICATION_PATH, -1,
            WorkerEnvironment.HEARTBEAT_TIMEOUT_MS_NONE, WorkerEnvironment.SHUTDOWN_TIME_LIMIT_MS_DEFAULT,
            WorkerEnvironment.QUEUE_WAIT_MS_NONE, io.sluice.dispatch.shm.MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
        serveThread = new Thread(
            () ->
            {
                try
                {
                    LoopbackWorker.serve(handler, env);
                }
                catch (final InterruptedException ignore)
                {
                    // stopped by the test
                }
                catch (final Throwable ex)
                {
                    serveFailure.set(ex);
                }
            },
            "loopback-worker-test");
        serveThread.start();
        awaitAccepting();
    }

    @Test
    void shouldHideTheListenersForwardingAndFramingFieldsFromTheHandler() throws Exception
    {
        restart(new FieldsHandler());

        try (Socket socket = connect())
        {
            final String tail = "x-forwarded-for: 203.0.113.7\r\nx-forwarded-proto: http\r\n" +
                "sluice-appl-path: /loopback/\r\n";
            final String token = "sluice-token: " + TOKEN + "\r\n\r\n";
            socket.getOutputStream().write((
                "GET /loopback/ HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n" + tail + "content-length: 0\r\n" + token +
                "POST /loopback/ HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Custom: v\r\n" + tail + token +
                "hello" +
                "POST /loopback/ HTTP/1.1\r\nHost: a\r\nX-Custom: v\r\n" + tail + "transfer-encoding: chunked\r\n" +
                token + "5\r\nhello\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();

            assertEquals(
                "remote=203.0.113.7 length=0\nHost: a\nAccept: */*\n",
                new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals(
                "remote=203.0.113.7 length=5\nHost: a\nContent-Length: 5\nX-Custom: v\n",
                new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals(
                "remote=203.0.113.7 length=-1\nHost: a\nX-Custom: v\n",
                new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldHideTheHopsFieldsInEverySpellingAndReadTheFirstOfEach() throws Exception
    {
        restart(new FieldsHandler());

        try (Socket socket = connect())
        {
            socket.getOutputStream().write((
                "GET /loopback/ HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n" +
                "X-FORWARDED-FOR: 198.51.100.1\r\nx-Forwarded-For: 203.0.113.9\r\nX-Forwarded-PROTO: https\r\n" +
                "SLUICE-TLS-PROTOCOL: TLSv1.3\r\nSluice-Tls-Cipher: TLS_AES_128_GCM_SHA256\r\n" +
                "Sluice-TLS-Server-Name: example.test\r\nSLUICE-CLIENT-CERT: ::\r\n" +
                "Sluice-Appl-PATH: /loopback/\r\nCONTENT-LENGTH: 0\r\nSLUICE-TOKEN: " + TOKEN + "\r\n" +
                "sluice-token: wrong\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            assertEquals(
                "remote=198.51.100.1 length=0 tls=TLSv1.3/TLS_AES_128_GCM_SHA256/example.test\nHost: a\n" +
                "Accept: */*\n",
                new String(RawResponse.read(socket.getInputStream()).body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldKeepTheClientsFramingAndTakeTheBodyWhenTheForwardingFieldsComeFirst() throws Exception
    {
        restart(new FieldsHandler());

        try (Socket socket = connect())
        {
            // a proxy that writes its own fields first (as nginx does): the length after them frames the body
            socket.getOutputStream().write((
                "POST /loopback/ HTTP/1.1\r\nsluice-token: " + TOKEN + "\r\nX-Forwarded-For: 203.0.113.7\r\n" +
                "X-Forwarded-Proto: http\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
                "GET /loopback/ HTTP/1.1\r\nsluice-token: " + TOKEN + "\r\nX-Forwarded-For: 203.0.113.7\r\n" +
                "Host: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();

            assertEquals(
                "remote=203.0.113.7 length=5\nHost: a\n",
                new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
            assertEquals(
                "remote=203.0.113.7 length=0\nHost: a\n",
                new String(RawResponse.read(in).body, StandardCharsets.US_ASCII));
        }
    }

    private void restart(final Handler handler) throws Exception
    {
        serveThread.interrupt();
        serveThread.join(10_000);
        start(handler);
    }

    private void awaitAccepting() throws Exception
    {
        while (true)
        {
            try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port))
            {
                assertTrue(socket.isConnected());
                return;
            }
            catch (final IOException ex)
            {
                assertTrue(serveThread.isAlive(), "worker stopped before accepting");
                Thread.sleep(10);
            }
        }
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Sluice-Token", TOKEN);
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private RawResponse exchangeAndClose(final String request) throws IOException
    {
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final RawResponse response = RawResponse.read(in);
            assertEquals(-1, in.read(), "connection should be closed after the response");
            return response;
        }
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
     * Answers with what the worker told it; never answers {@code /never}, and counts the abort.
     */
    static final class ProbeHandler implements Handler
    {
        final CountDownLatch received = new CountDownLatch(1);
        final CountDownLatch aborted = new CountDownLatch(1);

        public void onRequest(final Exchange exchange)
        {
            if (exchange.path().endsWith("/never"))
            {
                received.countDown();
                return;
            }
            final String text = exchange.remoteAddress() + " token=" + exchange.header("sluice-token");
            exchange.respond(200, "text/plain", text.getBytes(StandardCharsets.US_ASCII));
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
        }

        public void onAbort(final Exchange exchange)
        {
            aborted.countDown();
        }
    }

    /**
     * Answers with its address, the declared body length and the header fields it was given, once the body is read.
     */
    static final class FieldsHandler implements Handler
    {
        public void onRequest(final Exchange exchange)
        {
            if (!exchange.hasBody())
            {
                respond(exchange);
            }
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            if (last)
            {
                respond(exchange);
            }
        }

        private static void respond(final Exchange exchange)
        {
            final StringBuilder text = new StringBuilder("remote=").append(exchange.remoteAddress())
                .append(" length=").append(exchange.contentLength());
            final TlsInfo tls = exchange.tls();
            if (null != tls)
            {
                text.append(" tls=").append(tls.protocol()).append('/').append(tls.cipher()).append('/')
                    .append(tls.serverName());
            }
            text.append('\n');
            for (int i = 0; i < exchange.headerCount(); i++)
            {
                text.append(exchange.headerName(i)).append(": ").append(exchange.headerValue(i)).append('\n');
            }
            exchange.respond(200, "text/plain", text.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * A response read from a raw socket: status, lower-case headers, body (content-length or chunked).
     */
    /**
     * Streams a body in 16 KiB chunks, stopping at each false from sendBody and going on from onWritable.
     */
    static final class StreamingHandler implements Handler
    {
        private static final int CHUNK_LENGTH = 16 * 1024;
        private static final int PERIOD = 251;
        private static final org.agrona.concurrent.UnsafeBuffer PATTERN = pattern();

        final AtomicLong sent = new AtomicLong();
        final AtomicLong refusals = new AtomicLong();
        final AtomicLong writableCalls = new AtomicLong();
        private final int length;

        StreamingHandler(final int length)
        {
            this.length = length;
        }

        public void onRequest(final Exchange exchange)
        {
            exchange.sendHead(200, "application/octet-stream", length);
            send(exchange);
        }

        public void onWritable(final Exchange exchange)
        {
            writableCalls.incrementAndGet();
            send(exchange);
        }

        static byte byteAt(final long position)
        {
            return (byte)(position % PERIOD);
        }

        private void send(final Exchange exchange)
        {
            while (sent.get() < length)
            {
                final int chunk = (int)Math.min(CHUNK_LENGTH, length - sent.get());
                final int offset = (int)(sent.get() % PERIOD);
                final boolean last = sent.addAndGet(chunk) == length;
                if (!exchange.sendBody(PATTERN, offset, chunk, last))
                {
                    refusals.incrementAndGet();
                    return;
                }
            }
        }

        private static org.agrona.concurrent.UnsafeBuffer pattern()
        {
            final byte[] bytes = new byte[CHUNK_LENGTH + PERIOD];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = byteAt(i);
            }
            return new org.agrona.concurrent.UnsafeBuffer(bytes);
        }
    }

    static final class RawResponse
    {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];

        static RawResponse read(final InputStream in) throws IOException
        {
            final RawResponse response = readHead(in);
            final String length = response.headers.get("content-length");
            if (null != length)
            {
                response.body = in.readNBytes(Integer.parseInt(length));
            }
            else if ("chunked".equals(response.headers.get("transfer-encoding")))
            {
                final ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (true)
                {
                    final int size = Integer.parseInt(line(in).trim(), 16);
                    if (size == 0)
                    {
                        line(in);
                        break;
                    }
                    body.write(in.readNBytes(size));
                    line(in);
                }
                response.body = body.toByteArray();
            }
            return response;
        }

        static RawResponse readHead(final InputStream in) throws IOException
        {
            final RawResponse response = new RawResponse();
            final String statusLine = line(in);
            response.status = Integer.parseInt(statusLine.split(" ")[1]);
            String header;
            while (!(header = line(in)).isEmpty())
            {
                final int colon = header.indexOf(':');
                response.headers.put(
                    header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            return response;
        }

        private static String line(final InputStream in) throws IOException
        {
            final StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n')
            {
                if (b < 0)
                {
                    throw new IOException("connection closed mid-line: " + line);
                }
                if (b != '\r')
                {
                    line.append((char)b);
                }
            }
            return line.toString();
        }
    }
}
