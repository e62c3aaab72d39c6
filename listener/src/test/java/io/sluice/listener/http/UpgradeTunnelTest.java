package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.listener.FreshThread;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener side of an upgrade on one connection, on a clock the test advances (no sleep): the request reaches the
 * host with its {@code Upgrade} and {@code Connection: upgrade} only when the queue allows upgrades; a {@code 101}
 * head is written as validated and the bytes after the request, even a pipelined request, are the tunnel's; another
 * answer resumes HTTP; a {@code 101} to a request that did not ask is 502; the tunnel's idle timer counts bytes both
 * ways and aborts the host when it runs out; the client's end of input is the last body chunk.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UpgradeTunnelTest
{
    private static final long TUNNEL_IDLE_NS = TimeUnit.SECONDS.toNanos(7);
    private static final long TIMER_NS = TimeUnit.SECONDS.toNanos(120);
    private static final String UPGRADE_REQUEST =
        "GET /app/ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nX-A: 1\r\n\r\n";
    private static final String NEXT_REQUEST = "GET /app/next HTTP/1.1\r\nHost: a\r\n\r\n";

    @Test
    void shouldHandUpgradeToHostAndTunnelAfter101() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(true);
            connection.channel.receive(ascii(UPGRADE_REQUEST + NEXT_REQUEST));
            assertEquals(1, connection.host.exchanges.size());
            assertEquals("[Host: a, Connection: upgrade, Upgrade: websocket, X-A: 1]", connection.host.fields.get(0));

            final ClientExchange exchange = connection.host.exchanges.get(0);
            final ByteBuf head = exchange.beginHead(101);
            head.writeCharSequence("sec-websocket-accept: x\r\n", StandardCharsets.US_ASCII);
            assertTrue(exchange.finishHead(head, 101, -1, null, 0, 0, false));
            connection.channel.runPendingTasks();

            final String response = connection.channel.takeOutbound();
            assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols\r\nsec-websocket-accept: x\r\n" +
                "connection: upgrade\r\nupgrade: websocket\r\ndate: "), response);
            assertTrue(response.endsWith("\r\n\r\n"), response);
            assertFalse(response.toLowerCase().contains("content-length"), response);
            assertFalse(response.toLowerCase().contains("transfer-encoding"), response);
            // the request pipelined behind the upgrade is the tunnel's bytes, never a request
            assertEquals(1, connection.host.exchanges.size());
            assertEquals(NEXT_REQUEST, connection.host.body.toString(StandardCharsets.US_ASCII));

            exchange.body(ascii("from the host"), false);
            connection.channel.runPendingTasks();
            assertEquals("from the host", connection.channel.takeOutbound());

            connection.channel.shutdownInput();
            connection.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            assertEquals(1, connection.host.lastChunks, "the client's end of input is the last chunk");
            exchange.body(ascii("still sending"), true);
            connection.channel.runPendingTasks();
            assertEquals("still sending", connection.channel.takeOutbound());
            assertFalse(connection.channel.isOpen(), "the tunnel ended both ways: closed");
            assertEquals(0, connection.queue.length());
        });
    }

    @Test
    void shouldCloseTunnelIdleForTunnelIdleAndAbortHost() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(true);
            connection.channel.receive(ascii(UPGRADE_REQUEST));
            final ClientExchange exchange = connection.host.exchanges.get(0);
            exchange.finishHead(exchange.beginHead(101), 101, -1, null, 0, 0, false);
            connection.channel.runPendingTasks();
            connection.channel.takeOutbound();

            connection.channel.advance(TUNNEL_IDLE_NS - 1);
            connection.channel.receive(ascii("in"));
            connection.channel.advance(TUNNEL_IDLE_NS - 1);
            exchange.body(ascii("out"), false);
            connection.channel.advance(TUNNEL_IDLE_NS - 1);
            assertTrue(connection.channel.isOpen(), "bytes either way restart the idle timer");
            assertEquals(0, connection.host.aborts);
            connection.channel.advance(1);

            assertFalse(connection.channel.isOpen());
            assertEquals(1, connection.host.aborts);
            assertEquals(0, connection.queue.length(), "its place in the queue is given back");
        });
    }

    @Test
    void shouldReadRequestsAgainWhenUpgradeIsAnsweredWithoutSwitching() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(true);
            connection.channel.receive(ascii(UPGRADE_REQUEST + NEXT_REQUEST));
            assertEquals(1, connection.host.exchanges.size(), "held until the upgrade is answered");
            connection.host.exchanges.get(0).sendError(200, "no switch");
            connection.channel.runPendingTasks();

            assertTrue(connection.channel.takeOutbound().startsWith("HTTP/1.1 200 OK\r\n"));
            assertEquals(2, connection.host.exchanges.size());
            assertEquals(0, connection.host.body.readableBytes());
        });
    }

    @Test
    void shouldHideUpgradeFromHostWhenQueueRefusesUpgrades() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(false);
            connection.channel.receive(ascii(UPGRADE_REQUEST + NEXT_REQUEST));
            assertEquals(2, connection.host.exchanges.size(), "both requests are read at once");
            assertEquals("[Host: a, X-A: 1]", connection.host.fields.get(0));

            final ClientExchange exchange = connection.host.exchanges.get(0);
            exchange.finishHead(exchange.beginHead(101), 101, -1, null, 0, 0, false);
            connection.channel.runPendingTasks();
            final String response = connection.channel.takeOutbound();
            assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
            assertTrue(response.contains("101 Switching Protocols to a request that did not ask to upgrade"), response);
        });
    }

    @Test
    void shouldNotSwitchForH2c() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(true);
            connection.channel.receive(ascii(
                "GET /app/ HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
                "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n" + NEXT_REQUEST));
            assertEquals(2, connection.host.exchanges.size());
            assertEquals("[Host: a]", connection.host.fields.get(0));
            assertFalse(connection.host.exchanges.get(0).isUpgradeRequested());
        });
    }

    private static ByteBuf ascii(final String text)
    {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /**
     * A connection to one queue, {@code /app/}, with a tunnel idle timer, and its host.
     */
    private static final class Connection
    {
        final ClockedChannel channel = new ClockedChannel();
        final RequestQueue queue = new RequestQueue("app", 10);
        final RecordingHost host = new RecordingHost();

        Connection(final boolean webSockets)
        {
            final HttpConnectionConfig config = new HttpConnectionConfig()
                .headerWaitNs(TIMER_NS)
                .idleConnectionNs(TIMER_NS)
                .entityBodyNs(TIMER_NS)
                .drainEntityBodyNs(TIMER_NS);
            final PrefixRouter<QueueBinding> router = PrefixRouter.<QueueBinding>builder()
                .add("http://+:" + ClockedChannel.LOCAL_PORT + "/app/", new QueueBinding(
                    queue, host, "/app/", Long.MAX_VALUE, TIMER_NS, TIMER_NS, null, QueueBinding.ACCESS_LOG_NONE,
                    webSockets, TUNNEL_IDLE_NS))
                .build();
            final StrictRequestDecoder decoder = new StrictRequestDecoder(new StrictDecoderConfig());
            channel.pipeline().addLast(
                decoder, new HttpConnectionHandler(router, config, decoder, null, channel.clock()));
            channel.pipeline().fireChannelActive();
        }
    }

    /**
     * Takes each request and keeps it with its fields, collecting the body bytes it is given and the aborts it is
     * told.
     */
    private static final class RecordingHost implements Host
    {
        final List<ClientExchange> exchanges = new ArrayList<>();
        final List<String> fields = new ArrayList<>();
        final ByteBuf body = Unpooled.buffer();
        int lastChunks;
        int aborts;

        public void start()
        {
        }

        public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
        {
            exchanges.add(exchange);
            final List<String> lines = new ArrayList<>();
            request.headers().forEach((header) -> lines.add(header.getKey() + ": " + header.getValue()));
            fields.add(lines.toString());
            return new RequestSink()
            {
                public boolean body(final ByteBuf content, final boolean last)
                {
                    body.writeBytes(content, content.readerIndex(), content.readableBytes());
                    if (last && exchange.isHeadSent())
                    {
                        lastChunks++;
                    }
                    return true;
                }

                public void abort()
                {
                    aborts++;
                }
            };
        }

        public void close()
        {
        }
    }
}
