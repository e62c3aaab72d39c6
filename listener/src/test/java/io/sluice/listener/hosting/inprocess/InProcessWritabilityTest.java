package io.sluice.listener.hosting.inprocess;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.FreshThread;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.HttpConnectionHandler;
import io.sluice.listener.http.StrictDecoderConfig;
import io.sluice.listener.http.StrictRequestDecoder;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.routing.PrefixRouter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process back-pressure contract on an {@link EmbeddedChannel}, whose writability the test sets as a client that
 * stops and starts reading would: {@code sendBody} answers false while the connection is not writable,
 * {@code onWritable} follows exactly once per false when it is again, only for the response being written (a pipelined
 * response behind it is told when its turn comes), and the bodies arrive whole and in order.
 */
@Timeout(20)
class InProcessWritabilityTest
{
    private static final int LOW_WATER_MARK_LENGTH = 8 * 1024;
    private static final int HIGH_WATER_MARK_LENGTH = 16 * 1024;
    private static final int LOCAL_PORT = 8080;

    @Test
    void shouldStopTheHandlerWhenTheClientIsNotWritableAndTellItOnceWhenItIs() throws Exception
    {
        FreshThread.run(() ->
        {
            final EmbeddedChannel channel = newChannel();
            StreamingHandler.EXCHANGES.clear();
            clientReads(channel, false);
            receive(channel, request("/app/stream?n=200000"));

            final Stream stream = StreamingHandler.EXCHANGES.get(0);
            assertEquals(1, stream.refusals, "sendBody answered false: the client is not taking bytes");
            assertEquals(StreamingHandler.CHUNK_LENGTH, stream.sent, "the handler stopped at the first false");
            assertEquals(0, stream.writableCalls, "nothing drained yet: onWritable must wait");

            clientReads(channel, false);
            assertEquals(0, stream.writableCalls, "no change, no call");

            clientReads(channel, true);
            assertEquals(1, stream.writableCalls, "one onWritable for the one false");
            assertEquals(200_000, stream.sent);
            assertEquals(1, stream.refusals);

            clientReads(channel, false);
            clientReads(channel, true);
            assertEquals(1, stream.writableCalls, "no onWritable after the response is complete");
            assertBodies(drain(channel), 200_000);
            channel.finishAndReleaseAll();
        });
    }

    @Test
    void shouldTellAPipelinedResponseOnlyWhenItsTurnComes() throws Exception
    {
        FreshThread.run(() ->
        {
            final EmbeddedChannel channel = newChannel();
            StreamingHandler.EXCHANGES.clear();
            clientReads(channel, false);
            receive(channel, concat(request("/app/stream?n=50000"), request("/app/stream?n=30000")));

            assertEquals(2, StreamingHandler.EXCHANGES.size());
            final Stream first = StreamingHandler.EXCHANGES.get(0);
            final Stream second = StreamingHandler.EXCHANGES.get(1);
            assertEquals(1, first.refusals);
            assertEquals(1, second.refusals, "the second response waits behind the first: its window is shut");
            assertEquals(StreamingHandler.CHUNK_LENGTH, second.sent);

            clientReads(channel, true);
            assertEquals(50_000, first.sent);
            assertEquals(1, first.writableCalls);
            assertEquals(30_000, second.sent);
            assertEquals(1, second.writableCalls, "told once, when its turn came");
            assertTrue(second.firstWritableAfterFirstDone, "the second was told only after the first was complete");
            assertBodies(drain(channel), 50_000, 30_000);
            channel.finishAndReleaseAll();
        });
    }

    @Test
    void shouldNotTellAResponseBehindAnotherWhenTheConnectionDrains() throws Exception
    {
        FreshThread.run(() ->
        {
            final EmbeddedChannel channel = newChannel();
            StreamingHandler.EXCHANGES.clear();
            clientReads(channel, false);
            receive(channel, concat(request("/app/stream?n=50000"), request("/app/stream?n=30000")));
            final Stream first = StreamingHandler.EXCHANGES.get(0);
            final Stream second = StreamingHandler.EXCHANGES.get(1);
            StreamingHandler.pauseOnWritable = true;
            try
            {
                // the connection drains, but the first response has not gone on: the second is still not its turn
                clientReads(channel, true);
                assertEquals(1, first.writableCalls);
                assertEquals(0, second.writableCalls, "only the response being written is told");
            }
            finally
            {
                StreamingHandler.pauseOnWritable = false;
            }
            channel.finishAndReleaseAll();
        });
    }

    private static EmbeddedChannel newChannel()
    {
        final InProcessHost host = new InProcessHost(StreamingHandler.class.getName());
        host.start();
        final PrefixRouter<QueueBinding> router = PrefixRouter.<QueueBinding>builder()
            .add("http://+:" + LOCAL_PORT + "/app/", new QueueBinding(
                new RequestQueue("app", 100), host, "/app/", Long.MAX_VALUE, 0, 0))
            .build();
        final StrictRequestDecoder decoder = new StrictRequestDecoder(new StrictDecoderConfig());
        final EmbeddedChannel channel = new AddressedChannel();
        channel.config().setWriteBufferWaterMark(
            new WriteBufferWaterMark(LOW_WATER_MARK_LENGTH, HIGH_WATER_MARK_LENGTH));
        channel.pipeline().addLast(decoder, new HttpConnectionHandler(router, new HttpConnectionConfig(), decoder));
        channel.pipeline().fireChannelActive();
        return channel;
    }

    /**
     * The client takes bytes, or stops taking them: the connection's writability, as a slow reader would make it.
     */
    private static void clientReads(final EmbeddedChannel channel, final boolean reads)
    {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, reads);
        // Netty announces a change of user-defined writability from a task
        channel.runPendingTasks();
    }

    /**
     * Bytes arrive from the client; unlike {@code writeInbound}, the event loop's tasks (the flush) do not run yet.
     */
    private static void receive(final EmbeddedChannel channel, final ByteBuf bytes)
    {
        channel.pipeline().fireChannelRead(bytes);
        channel.pipeline().fireChannelReadComplete();
    }

    private static ByteBuf request(final String target)
    {
        return Unpooled.copiedBuffer(
            "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII);
    }

    private static ByteBuf concat(final ByteBuf first, final ByteBuf second)
    {
        return Unpooled.wrappedBuffer(first, second);
    }

    private static byte[] drain(final EmbeddedChannel channel)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf buf;
        while (null != (buf = channel.readOutbound()))
        {
            final byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static void assertBodies(final byte[] wire, final int... lengths)
    {
        int position = 0;
        for (final int length : lengths)
        {
            final String rest = new String(wire, position, Math.min(wire.length - position, 512),
                StandardCharsets.ISO_8859_1);
            assertTrue(rest.startsWith("HTTP/1.1 200 "), rest);
            assertTrue(rest.contains("content-length: " + length + "\r\n"), rest);
            position += rest.indexOf("\r\n\r\n") + 4;
            for (int i = 0; i < length; i++)
            {
                assertEquals(StreamingHandler.byteAt(i), wire[position + i], "body byte " + i);
            }
            position += length;
        }
        assertEquals(wire.length, position, "nothing after the responses");
    }

    /**
     * An embedded channel with socket addresses, so the connection routes by its local port.
     */
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

    /**
     * One streamed response's progress, as the handler saw it.
     */
    static final class Stream
    {
        final int length;
        int sent;
        int refusals;
        int writableCalls;
        boolean firstWritableAfterFirstDone;

        Stream(final int length)
        {
            this.length = length;
        }
    }

    /**
     * Streams {@code n} bytes in chunks, stopping at each false and going on from onWritable, and records it.
     */
    public static final class StreamingHandler implements Handler
    {
        static final int CHUNK_LENGTH = 4096;
        static final List<Stream> EXCHANGES = new ArrayList<>();
        static boolean pauseOnWritable;
        private static final UnsafeBuffer PATTERN = pattern();

        /**
         * Loaded by class name (a public constructor, which reflection needs).
         */
        @SuppressWarnings("checkstyle:RedundantModifier")
        public StreamingHandler()
        {
        }

        public void onRequest(final Exchange exchange)
        {
            final int length = Integer.parseInt(exchange.query().substring(2));
            final Stream stream = new Stream(length);
            EXCHANGES.add(stream);
            exchange.attachment(stream);
            exchange.sendHead(200, "application/octet-stream", length);
            send(exchange, stream);
        }

        public void onWritable(final Exchange exchange)
        {
            final Stream stream = (Stream)exchange.attachment();
            stream.writableCalls++;
            if (stream.writableCalls == 1 && EXCHANGES.indexOf(stream) == 1)
            {
                stream.firstWritableAfterFirstDone = EXCHANGES.get(0).sent == EXCHANGES.get(0).length;
            }
            assertFalse(stream.sent == stream.length, "onWritable after the response was complete");
            if (!pauseOnWritable)
            {
                send(exchange, stream);
            }
        }

        static byte byteAt(final int position)
        {
            return (byte)(position % 253);
        }

        private static void send(final Exchange exchange, final Stream stream)
        {
            while (stream.sent < stream.length)
            {
                final int chunk = Math.min(CHUNK_LENGTH, stream.length - stream.sent);
                final int offset = stream.sent % 253;
                stream.sent += chunk;
                if (!exchange.sendBody(PATTERN, offset, chunk, stream.sent == stream.length))
                {
                    stream.refusals++;
                    return;
                }
            }
        }

        private static UnsafeBuffer pattern()
        {
            final byte[] bytes = new byte[CHUNK_LENGTH + 253];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = byteAt(i);
            }
            return new UnsafeBuffer(bytes);
        }
    }
}
