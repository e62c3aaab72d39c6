package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCounted;
import io.sluice.listener.FreshThread;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ServerExchange#notifyWhenFlushed}, the notice a shared-memory link grants response credit on, on an
 * {@link EmbeddedChannel} whose outbound messages the test takes as the socket would: the listener is told, with its
 * token, only once every byte written before the request was taken; a request made while the connection's marker is
 * still queued, after more bytes, is told only when those are taken too; nothing is told after the connection closed;
 * and a notice allocates nothing.
 */
@Timeout(20)
class FlushNoticeTest
{
    private static final int LOCAL_PORT = 8080;
    private static final int NOTICES = 20_000;
    private static final long ALLOCATION_SLACK_BYTES = 64 * 1024;

    @Test
    void shouldTellTheTokenOnlyOnceTheBytesWrittenBeforeItAreTaken() throws Exception
    {
        onChunkedResponse((channel, exchange) ->
        {
            final List<Long> notices = new ArrayList<>();
            final FlushListener listener = notices::add;
            exchange.body(Unpooled.wrappedBuffer(new byte[10_000]), false);

            exchange.notifyWhenFlushed(listener, 42);
            assertEquals(List.of(), notices, "nothing is written yet");

            channel.runPendingTasks();
            assertTrue(takeOutbound(channel) > 10_000, "the response bytes are written");
            assertEquals(List.of(42L), notices);
        });
    }

    @Test
    void shouldWatchTheLaterBytesWhenAskedAgainWhileTheMarkerIsQueued() throws Exception
    {
        onChunkedResponse((channel, exchange) ->
        {
            final List<Long> notices = new ArrayList<>();
            final FlushListener listener = notices::add;
            exchange.body(Unpooled.wrappedBuffer(new byte[1_000]), false);
            exchange.notifyWhenFlushed(listener, 1);
            channel.runPendingTasks();

            exchange.body(Unpooled.wrappedBuffer(new byte[2_000]), false);
            exchange.notifyWhenFlushed(listener, 2);
            takeThroughMarker(channel);
            assertEquals(List.of(), notices, "the first marker went before the later bytes: they are not yet taken");

            channel.runPendingTasks();
            assertTrue(takeOutbound(channel) >= 2_000);
            assertEquals(List.of(2L), notices, "one notice, for the request that replaced the first");
        });
    }

    @Test
    void shouldTellNothingWhenTheConnectionClosesFirst() throws Exception
    {
        onChunkedResponse((channel, exchange) ->
        {
            final List<Long> notices = new ArrayList<>();
            exchange.body(Unpooled.wrappedBuffer(new byte[1_000]), false);
            exchange.notifyWhenFlushed(notices::add, 7);

            channel.close();
            channel.runPendingTasks();
            takeOutbound(channel);

            assertEquals(List.of(), notices);
        });
    }

    @Test
    void shouldAllocateNothingPerNotice() throws Exception
    {
        onChunkedResponse((channel, exchange) ->
        {
            final long[] told = new long[1];
            final FlushListener listener = (token) -> told[0] += token;
            channel.runPendingTasks();
            takeOutbound(channel);
            for (int i = 0; i < NOTICES; i++)
            {
                noticeRoundTrip(channel, exchange, listener);
            }

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().getId();
            told[0] = 0;
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < NOTICES; i++)
            {
                noticeRoundTrip(channel, exchange, listener);
            }
            final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before;

            assertEquals(NOTICES, told[0], "one notice per request");
            assertTrue(allocatedBytes < ALLOCATION_SLACK_BYTES,
                allocatedBytes + " bytes allocated for " + NOTICES + " notices");
        });
    }

    private static void noticeRoundTrip(
        final EmbeddedChannel channel, final ServerExchange exchange, final FlushListener listener)
    {
        exchange.notifyWhenFlushed(listener, 1);
        channel.runPendingTasks();
        final Object marker = channel.readOutbound();
        assertNotNull(marker);
        ((ReferenceCounted)marker).release();
    }

    /**
     * On a fresh thread, a request taken on a new connection and its response begun as a chunked 200; then the test
     * body; then the channel finished and what it holds let go.
     */
    private static void onChunkedResponse(final ResponseTest test) throws Exception
    {
        FreshThread.run(() ->
        {
            final CapturingHost host = new CapturingHost();
            final EmbeddedChannel channel = newChannel(host);
            final ServerExchange exchange = host.open(channel);
            startChunkedResponse(exchange);
            test.run(channel, exchange);
            channel.finishAndReleaseAll();
        });
    }

    private static void startChunkedResponse(final ServerExchange exchange)
    {
        final ByteBuf head = exchange.beginHead(200);
        exchange.finishHead(head, 200, -1, null, 0, 0, false);
    }

    /**
     * The client's socket takes everything queued: each message is let go, as the channel does once it is written.
     *
     * @return the bytes taken.
     */
    private static long takeOutbound(final EmbeddedChannel channel)
    {
        long length = 0;
        Object message;
        while (null != (message = channel.readOutbound()))
        {
            if (message instanceof ByteBuf buf)
            {
                length += buf.readableBytes();
            }
            ((ReferenceCounted)message).release();
        }
        return length;
    }

    /**
     * The client's socket takes what was queued up to the first marker, and the marker is let go.
     */
    private static void takeThroughMarker(final EmbeddedChannel channel)
    {
        Object message;
        do
        {
            message = channel.readOutbound();
            assertNotNull(message, "a marker was queued");
            ((ReferenceCounted)message).release();
        }
        while (message instanceof ByteBuf);
    }

    private static EmbeddedChannel newChannel(final CapturingHost host)
    {
        final PrefixRouter<QueueBinding> router = PrefixRouter.<QueueBinding>builder()
            .add("http://+:" + LOCAL_PORT + "/app/", new QueueBinding(
                new RequestQueue("app", 100), host, "/app/", Long.MAX_VALUE, 0, 0))
            .build();
        final StrictRequestDecoder decoder = new StrictRequestDecoder(new StrictDecoderConfig());
        final EmbeddedChannel channel = new AddressedChannel();
        channel.pipeline().addLast(decoder, new HttpConnectionHandler(router, new HttpConnectionConfig(), decoder));
        channel.pipeline().fireChannelActive();
        return channel;
    }

    @FunctionalInterface
    private interface ResponseTest
    {
        void run(EmbeddedChannel channel, ServerExchange exchange) throws Exception;
    }

    /**
     * Takes each request and holds its exchange for the test to answer through.
     */
    private static final class CapturingHost implements Host
    {
        private ServerExchange exchange;

        public void start()
        {
        }

        public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
        {
            this.exchange = (ServerExchange)exchange;
            return new RequestSink()
            {
                public boolean body(final ByteBuf content, final boolean last)
                {
                    content.release();
                    return true;
                }

                public void abort()
                {
                }
            };
        }

        public void close()
        {
        }

        ServerExchange open(final EmbeddedChannel channel)
        {
            channel.pipeline().fireChannelRead(
                Unpooled.copiedBuffer("GET /app/x HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
            channel.pipeline().fireChannelReadComplete();
            assertNotNull(exchange, "the request reached the host");
            return exchange;
        }
    }

    private static final class AddressedChannel extends EmbeddedChannel
    {
        protected SocketAddress localAddress0()
        {
            return new InetSocketAddress("127.0.0.1", LOCAL_PORT);
        }

        protected SocketAddress remoteAddress0()
        {
            return new InetSocketAddress("127.0.0.1", 40000);
        }
    }
}
