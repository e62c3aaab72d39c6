package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timers of {@link HttpConnectionHandler} on a clock the test advances (no sleep): header wait (408, then the
 * lingering close swapped in), idle connection (closed without a word), entity body (408, sink aborted), queue wait
 * (503, sink aborted), each firing at its deadline and not a nanosecond before; and the minimum send rate's verdict,
 * which aborts what is in flight.
 */
@Timeout(20)
class HttpConnectionTimersTest
{
    private static final long HEADER_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long IDLE_CONNECTION_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long ENTITY_BODY_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long DRAIN_ENTITY_BODY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long QUEUE_WAIT_NS = TimeUnit.SECONDS.toNanos(4);

    @Test
    void shouldAnswer408WhenAHeadIsNotCompleteInTimeThenLingerAndClose() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(false);
            connection.channel.receive(ascii("GET /app/x HTTP/1.1\r\nHo"));

            connection.channel.advance(HEADER_WAIT_NS - 1);
            assertEquals("", connection.channel.takeOutbound());
            connection.channel.advance(1);

            final String response = connection.channel.takeOutbound();
            assertTrue(response.startsWith("HTTP/1.1 408 "), response);
            assertTrue(response.contains("request timeout: request head not received in time"), response);
            assertTrue(connection.channel.isOutputShutdown(), "the FIN follows the response");
            assertTrue(connection.channel.pipeline().get("linger") instanceof LingeringCloseHandler);
            assertNull(connection.channel.pipeline().get(StrictRequestDecoder.class), "decoding stopped");
            assertNull(connection.channel.pipeline().get(HttpConnectionHandler.class));

            connection.channel.receive(ascii("st: a\r\n\r\n"));
            connection.channel.advance(DRAIN_ENTITY_BODY_NS - 1);
            assertTrue(connection.channel.isOpen(), "lingering");
            connection.channel.advance(1);
            assertFalse(connection.channel.isOpen());
        });
    }

    @Test
    void shouldCloseAnIdleConnectionWithoutAResponse() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(false);
            connection.channel.receive(ascii("GET /app/x HTTP/1.1\r\nHost: a\r\n\r\n"));
            connection.host.exchanges.get(0).sendError(200, "ok");
            connection.channel.runPendingTasks();
            assertTrue(connection.channel.takeOutbound().startsWith("HTTP/1.1 200 "));

            connection.channel.advance(IDLE_CONNECTION_NS - 1);
            assertTrue(connection.channel.isOpen());
            connection.channel.advance(1);

            assertFalse(connection.channel.isOpen());
            assertEquals("", connection.channel.takeOutbound());
        });
    }

    @Test
    void shouldAnswer408AndAbortTheSinkWhenTheBodyStopsComing() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(false);
            connection.channel.receive(ascii("POST /app/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345"));
            connection.channel.advance(ENTITY_BODY_NS - 1);
            connection.channel.receive(ascii("678"));
            connection.channel.advance(ENTITY_BODY_NS - 1);
            assertEquals("", connection.channel.takeOutbound(), "each piece restarts the timer");
            connection.channel.advance(1);

            final String response = connection.channel.takeOutbound();
            assertTrue(response.startsWith("HTTP/1.1 408 "), response);
            assertTrue(response.contains("request timeout: request body not received in time"), response);
            assertEquals(8, connection.host.bodyLength);
            assertEquals(1, connection.host.aborts);
        });
    }

    @Test
    void shouldAnswer503AndAbortTheSinkWhenAQueuedRequestWaitsTooLong() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(true);
            connection.channel.receive(ascii("GET /app/x HTTP/1.1\r\nHost: a\r\n\r\n"));

            connection.channel.advance(QUEUE_WAIT_NS - 1);
            assertEquals("", connection.channel.takeOutbound());
            connection.channel.advance(1);

            final String response = connection.channel.takeOutbound();
            assertTrue(response.startsWith("HTTP/1.1 503 "), response);
            assertTrue(response.contains("service unavailable: request waited too long in the queue"), response);
            assertEquals(1, connection.host.aborts);
            assertEquals(0, connection.queue.length(), "its place in the queue is given back");
        });
    }

    @Test
    void shouldAbortWhatIsInFlightAndCloseWhenTheClientIsTooSlow() throws Exception
    {
        FreshThread.run(() ->
        {
            final Connection connection = new Connection(false);
            connection.channel.receive(ascii("GET /app/x HTTP/1.1\r\nHost: a\r\n\r\n"));

            connection.channel.pipeline().fireUserEventTriggered(MinSendRateHandler.TOO_SLOW);

            assertEquals(1, connection.host.aborts);
            assertFalse(connection.channel.isOpen());
        });
    }

    private static ByteBuf ascii(final String text)
    {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /**
     * A connection to one queue, {@code /app/}, with every timer set, and its host.
     */
    private static final class Connection
    {
        final ClockedChannel channel = new ClockedChannel();
        final RequestQueue queue = new RequestQueue("app", 10);
        final RecordingHost host;

        Connection(final boolean queued)
        {
            host = new RecordingHost(queued);
            final HttpConnectionConfig config = new HttpConnectionConfig()
                .headerWaitNs(HEADER_WAIT_NS)
                .idleConnectionNs(IDLE_CONNECTION_NS)
                .entityBodyNs(ENTITY_BODY_NS)
                .drainEntityBodyNs(DRAIN_ENTITY_BODY_NS);
            final PrefixRouter<QueueBinding> router = PrefixRouter.<QueueBinding>builder()
                .add("http://+:" + ClockedChannel.LOCAL_PORT + "/app/", new QueueBinding(
                    queue, host, "/app/", Long.MAX_VALUE, ENTITY_BODY_NS, QUEUE_WAIT_NS))
                .build();
            final StrictRequestDecoder decoder = new StrictRequestDecoder(new StrictDecoderConfig());
            channel.pipeline().addLast(
                decoder, new HttpConnectionHandler(router, config, decoder, null, channel.clock()));
            channel.pipeline().fireChannelActive();
        }
    }

    /**
     * Takes each request and keeps it, counting the body bytes it is given and the aborts it is told.
     */
    private static final class RecordingHost implements Host
    {
        final List<ClientExchange> exchanges = new ArrayList<>();
        final boolean queued;
        long bodyLength;
        int aborts;

        RecordingHost(final boolean queued)
        {
            this.queued = queued;
        }

        public void start()
        {
        }

        public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
        {
            exchanges.add(exchange);
            if (queued)
            {
                exchange.markQueued();
            }
            return new RequestSink()
            {
                public boolean body(final ByteBuf content, final boolean last)
                {
                    bodyLength += content.readableBytes();
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
