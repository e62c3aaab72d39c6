package io.sluice.listener;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import io.sluice.listener.process.WorkerCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket through each hosting model, with Netty's WebSocket client against {@link WebSocketEchoHandler} (RFC 6455
 * through the {@code Exchange} tunnel contract): the upgrade admitted and answered {@code 101}, echo of text and binary
 * messages of 0 B to 16 MiB, ping and pong, the close handshake from either side, the client's half-close and abrupt
 * close (the handler is told), and the listener's refusals: no upgrade on a queue with {@code webSockets: false}, a
 * {@code 101} to a request that did not ask for it answered 502. {@link #MODELS} lists the paths a scenario runs
 * against; a hosting model joins by adding its queue to {@link #CONFIG} and its prefix there. Every scenario also
 * runs 64 connections × 1,000 messages at once, each echo matched to its message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketTest
{
    static final List<String> MODELS = List.of("/inproc/", "/shm/", "/loopback/");

    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", WebSocketEchoHandler.class))
        // the in-process 16 MiB echo can hold the shared event loop, and so its heartbeat, for seconds under the
        // paranoid leak detector: the worker must not take that for a dead listener
        .queue(TestConfig.sharedMemory("shm", WebSocketEchoHandler.class).worker("heartbeatTimeout", "0"))
        .queue(TestConfig.loopback("loopback", WebSocketEchoHandler.class).worker("shutdownTimeLimit", "1s"))
        .queue(TestConfig.inProcess("nows", WebSocketEchoHandler.class).set("webSockets", false))
        .queue(TestConfig.loopback("lbnows", WebSocketEchoHandler.class).set("webSockets", false))
        .queue(TestConfig.inProcess("idle", WebSocketEchoHandler.class).timeout("tunnelIdle", "300ms"))
        // the same queues for the 16 MiB messages, their workers' leak detector sampling as the in-process case's
        // does for them: paranoid, it records every access of every buffer, tens of seconds for 32 MiB
        .queue(TestConfig.sharedMemory("shmlarge", WebSocketEchoHandler.class).worker("heartbeatTimeout", "0")
            .command(sampledLeakDetectionWorker(WebSocketEchoHandler.class)))
        .queue(TestConfig.loopback("loopbacklarge", WebSocketEchoHandler.class).worker("shutdownTimeLimit", "1s")
            .command(sampledLeakDetectionWorker(WebSocketEchoHandler.class)))
        .yaml();

    /**
     * Where a model's messages over {@link #LEAK_TRACKED_LENGTH_MAX} go: the same hosting model, its worker's leak
     * detector sampling; a model not listed takes them on its own queue.
     */
    private static final Map<String, String> LARGE_MESSAGE_PATHS =
        Map.of("/inproc/", "/inproc/", "/shm/", "/shmlarge/", "/loopback/", "/loopbacklarge/");

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final int LEAK_TRACKED_LENGTH_MAX = MIB;
    private static final long LARGE_MESSAGE_TIMEOUT_MS = 60_000;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("ws", CONFIG)
        .awaitReady(READY_TIMEOUT_MS, "/inproc/", "/loopback/", "/lbnows/");

    @TempDir
    Path tempDir;

    static Stream<Arguments> modelsAndLengths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : MODELS)
        {
            for (final int length : new int[] { 0, 125, 64 * KIB, 16 * MIB })
            {
                arguments.add(Arguments.of(path, length));
            }
        }
        return arguments.stream();
    }

    static Stream<String> models()
    {
        return MODELS.stream();
    }

    @ParameterizedTest
    @MethodSource("modelsAndLengths")
    void shouldEchoTextAndBinaryMessages(final String path, final int length) throws Exception
    {
        final Random random = new Random(length);
        final byte[] binary = new byte[length];
        random.nextBytes(binary);
        final char[] chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.nextInt(26));
        }
        final String text = new String(chars);
        // the build's paranoid leak detection records every access of every buffer: tens of seconds for 32 MiB
        // through the tunnel; the smaller messages keep it on, so the tunnel's buffers are still tracked
        final ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        if (length > LEAK_TRACKED_LENGTH_MAX)
        {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        }
        final String target = length > LEAK_TRACKED_LENGTH_MAX ? LARGE_MESSAGE_PATHS.getOrDefault(path, path) : path;
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), target + "ws"))
        {
            client.sendText(text);
            client.sendBinary(binary);
            final TextWebSocketFrame textEcho =
                assertInstanceOf(TextWebSocketFrame.class, client.next(LARGE_MESSAGE_TIMEOUT_MS));
            assertEquals(text, textEcho.text());
            textEcho.release();
            final BinaryWebSocketFrame binaryEcho =
                assertInstanceOf(BinaryWebSocketFrame.class, client.next(LARGE_MESSAGE_TIMEOUT_MS));
            assertArrayEquals(binary, WebSocketTestClient.bytes(binaryEcho));
        }
        finally
        {
            ResourceLeakDetector.setLevel(leakDetection);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldAnswerPingWithPongAndKeepOrder(final String path) throws Exception
    {
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), path + "ws"))
        {
            for (int i = 0; i < 100; i++)
            {
                client.ping(("ping-" + i).getBytes(StandardCharsets.US_ASCII));
                client.sendText("message-" + i);
            }
            for (int i = 0; i < 100; i++)
            {
                final PongWebSocketFrame pong = assertInstanceOf(PongWebSocketFrame.class, client.next());
                assertEquals("ping-" + i, new String(WebSocketTestClient.bytes(pong), StandardCharsets.US_ASCII));
                final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
                assertEquals("message-" + i, echo.text());
                echo.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldCloseWhenClientSendsClose(final String path) throws Exception
    {
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), path + "ws"))
        {
            client.sendText("before close");
            client.sendClose(1000);
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("before close", echo.text());
            echo.release();
            final CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, client.next());
            assertEquals(1000, close.statusCode());
            close.release();
            // the handler ended the tunnel after its close frame: the listener closes the connection
            assertEquals(WebSocketTestClient.CLOSED, client.next());
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldTellHandlerOfClientHalfCloseAndCarryWhatItSendsAfter(final String path) throws Exception
    {
        final Path marker = tempDir.resolve("half-close");
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), path + "ws?marker=" + marker))
        {
            client.sendText("last words");
            client.shutdownOutput();
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("last words", echo.text());
            echo.release();
            assertEquals(WebSocketTestClient.CLOSED, client.next());
        }
        awaitContent("input-end\n", marker);
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldTellHandlerWhenClientGoesAbruptly(final String path) throws Exception
    {
        final Path marker = tempDir.resolve("abort");
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), path + "ws?marker=" + marker))
        {
            client.sendText("hello");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            echo.release();
            client.abort();
        }
        awaitContent("abort\n", marker);
        // the queue serves on
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), path + "ws"))
        {
            client.sendText("again");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("again", echo.text());
            echo.release();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldAnswer502WhenHandlerSwitchesProtocolsUnasked(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(path + "force101", port()));
            assertEquals(502, response.status(), response::toString);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldServePipelinedRequestAfterUpgradeRequestAnsweredWithoutSwitching(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            // no Sec-WebSocket-Key: the handler answers 200, and the request behind it is read as a request again
            client.write(RawHttpClient.concat(
                RawHttpClient.request("GET", path + "plain", "127.0.0.1:" + port(),
                    "Connection: upgrade", "Upgrade: websocket"),
                RawHttpClient.get(path + "after", port())));
            final RawHttpClient.Response first = client.readResponse(false);
            assertEquals(200, first.status(), first::toString);
            assertNull(first.header("upgrade"));
            final RawHttpClient.Response second = client.readResponse(false);
            assertEquals(200, second.status(), second::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/nows/", "/lbnows/" })
    void shouldNotUpgradeOnQueueWithWebSocketsOff(final String path) throws Exception
    {
        // Netty's client refuses the handshake answer: a 200, not a 101
        assertThrows(Exception.class, () -> WebSocketTestClient.connect(port(), path + "ws").close());
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request(
                "GET", path + "ws", "127.0.0.1:" + port(), "Connection: Upgrade", "Upgrade: websocket",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
            assertEquals(200, response.status(), response::toString);
            assertEquals("hello", response.bodyText());
            // and the connection goes on as HTTP
            final RawHttpClient.Response next = client.send(RawHttpClient.get(path, port()));
            assertEquals(200, next.status(), next::toString);
        }
    }

    @Test
    void shouldTellWorkersWhetherTheirQueueAllowsUpgrades() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            assertEquals("true", client.send(RawHttpClient.get("/loopback/env", port())).bodyText());
            assertEquals("false", client.send(RawHttpClient.get("/lbnows/env", port())).bodyText());
        }
    }

    /**
     * Open tunnels through a worker that is killed: every client sees its connection close, and the queue serves new
     * tunnels from the replacement.
     */
    @Test
    void shouldCloseTunnelsOfKilledWorkerAndServeAfterRestart() throws Exception
    {
        final List<WebSocketTestClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final WebSocketTestClient client = WebSocketTestClient.connect(port(), "/loopback/ws");
                clients.add(client);
                client.sendText("before " + i);
                final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
                assertEquals("before " + i, echo.text());
                echo.release();
            }
            WorkerSignals.kill(LISTENER.get().supervisor("loopback").pid(0));
            for (final WebSocketTestClient client : clients)
            {
                assertTrue(client.awaitClosed(), "the tunnel of the killed worker is closed");
            }
        }
        finally
        {
            for (final WebSocketTestClient client : clients)
            {
                client.close();
            }
        }
        assertEquals(200, LISTENER.get().awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), "/loopback/ws"))
        {
            client.sendText("after");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("after", echo.text());
            echo.release();
        }
    }

    @Test
    void shouldCloseTunnelIdleForTunnelIdleAndTellHandler() throws Exception
    {
        final Path marker = tempDir.resolve("idle");
        try (WebSocketTestClient client = WebSocketTestClient.connect(port(), "/idle/ws?marker=" + marker))
        {
            client.sendText("one");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("one", echo.text());
            echo.release();
            assertTrue(client.awaitClosed(), "the idle tunnel is closed");
        }
        awaitContent("abort\n", marker);
    }

    /**
     * 64 connections at once, each echoing 1,000 messages: every message comes back to its own client, in order. Half
     * the clients send theirs as one burst (written at once, flushed once), the other half one message per write,
     * interleaved with the other connections' messages.
     */
    @ParameterizedTest
    @MethodSource("models")
    void shouldEchoEveryMessageOfManyConnectionsToItsOwnClient(final String path) throws Exception
    {
        final int connections = 64;
        final int messages = 1000;
        // 64,000 messages each way: the paranoid leak detector would take seconds per model; the other scenarios
        // keep it on, so the tunnel's buffers are still tracked
        final ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        final List<WebSocketTestClient> clients = new ArrayList<>();
        try
        {
            for (int c = 0; c < connections; c++)
            {
                clients.add(WebSocketTestClient.connect(port(), path + "ws"));
            }
            for (int c = 0; c < connections; c += 2)
            {
                clients.get(c).sendTexts("c" + c + "-m", messages);
            }
            for (int m = 0; m < messages; m++)
            {
                for (int c = 1; c < connections; c += 2)
                {
                    clients.get(c).sendTextNoWait("c" + c + "-m" + m);
                }
            }
            for (int c = 0; c < connections; c++)
            {
                for (int m = 0; m < messages; m++)
                {
                    final TextWebSocketFrame echo = assertInstanceOf(
                        TextWebSocketFrame.class, clients.get(c).next(LARGE_MESSAGE_TIMEOUT_MS));
                    assertEquals("c" + c + "-m" + m, echo.text());
                    echo.release();
                }
            }
        }
        finally
        {
            for (final WebSocketTestClient client : clients)
            {
                client.close();
            }
            ResourceLeakDetector.setLevel(leakDetection);
        }
    }

    /**
     * @return the command the supervisor would run for {@code handler}'s workers, but for Netty's leak detection:
     * {@code simple} (sampled) rather than the build's.
     */
    private static String[] sampledLeakDetectionWorker(final Class<?> handler)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : WorkerCommand.workerJvmFlags())
        {
            if (!flag.startsWith("-Dio.netty.leakDetection"))
            {
                command.add(flag);
            }
        }
        command.add("-Dio.netty.leakDetection.level=simple");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerCommand.WORKER_MAIN_CLASS);
        command.add(handler.getName());
        return command.toArray(new String[0]);
    }

    private static int port()
    {
        return LISTENER.port();
    }

    /**
     * Await what a handler wrote to its marker file (in this process or a worker's), then assert it exactly.
     */
    private static void awaitContent(final String expected, final Path marker) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!expected.equals(read(marker)) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        assertEquals(expected, read(marker));
    }

    private static String read(final Path file) throws Exception
    {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
