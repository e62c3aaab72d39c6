package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum send rate over HTTP/2 ({@link Http2Pipeline} with its {@link MinSendRateHandler}), on a clock the test
 * advances: a client that keeps its stream window shut on a large response (nothing held in the socket, everything
 * held by flow control) is cut after one whole window below the rate ({@code GOAWAY ENHANCE_YOUR_CALM}, closed, its
 * stream's host told), and so is one whose socket takes nothing; one that opens its window as it reads, above the
 * rate, keeps the connection however long the response takes; more of a response that waits for the window after a
 * pause is measured again; an idle connection with no response waiting is never measured; and a rate of 0 turns it
 * off.
 */
@Timeout(20)
class Http2MinSendRateTest
{
    private static final long MIN_BYTES_PER_SECOND = 1000;
    private static final long GRACE_NS = TimeUnit.SECONDS.toNanos(4);
    private static final long SAMPLE_NS = GRACE_NS / MinSendRateHandler.SAMPLES_PER_WINDOW;
    private static final long ENTITY_BODY_NS = TimeUnit.SECONDS.toNanos(120);
    private static final long QUEUE_WAIT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final int RESPONSE_LENGTH = 48 * 1024;
    private static final int WINDOW_LENGTH = 1024;
    private static final int STREAM_ID = 3;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int TYPE_DATA = 0x0;
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_GOAWAY = 0x7;

    private final ClockedChannel channel = new ClockedChannel();
    private final RecordingHost host = new RecordingHost();
    private final EmbeddedChannel encoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext encoderCtx = encoder.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        writer.close();
    }

    @Test
    void shouldCutAClientThatKeepsItsWindowShutOnALargeResponse()
    {
        connect(MIN_BYTES_PER_SECOND);
        final MinSendRateHandler sendRate = channel.pipeline().get(MinSendRateHandler.class);
        assertNotNull(sendRate, "the HTTP/2 pipeline measures the send rate");

        request(0);
        final Frames answered = Frames.of(channel.takeOutbound());
        assertTrue(answered.types.contains(TYPE_HEADERS), "the head is not flow controlled: " + answered.types);
        assertEquals(0, answered.dataLength, "the body waits for a window the client keeps shut");
        assertTrue(sendRate.isSampling());

        // the first held sample starts the window; it runs out one whole grace period later
        channel.advance(SAMPLE_NS);
        for (int i = 0; i < MinSendRateHandler.SAMPLES_PER_WINDOW - 1; i++)
        {
            channel.advance(SAMPLE_NS);
            assertTrue(channel.isOpen(), "within the window: sample " + i);
        }
        assertEquals(0, host.aborts);
        channel.advance(SAMPLE_NS);

        final Frames cut = Frames.of(channel.takeOutbound());
        assertEquals(List.of(TYPE_GOAWAY), cut.types, "GOAWAY, then close");
        assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), cut.goAwayErrorCode);
        assertEquals(STREAM_ID, cut.goAwayLastStreamId);
        assertFalse(channel.isOpen());
        assertEquals(1, host.aborts, "the stream's host is told, as for a reset stream");
    }

    @Test
    void shouldCutAClientWhoseSocketTakesNothingWithItsWindowOpen()
    {
        connect(MIN_BYTES_PER_SECOND);
        channel.takeOutbound();
        // the socket takes nothing more: the codec holds the body for the socket, not for a window
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks();
        request(STREAM_ID, RESPONSE_LENGTH, Http2CodecUtil.DEFAULT_WINDOW_SIZE, false);
        channel.takeOutbound();

        for (int i = 0; i < MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            channel.advance(SAMPLE_NS);
            assertTrue(channel.isOpen(), "within the window: sample " + i);
        }
        channel.advance(SAMPLE_NS);

        assertFalse(channel.isOpen());
        assertEquals(1, host.aborts);
    }

    @Test
    void shouldMeasureMoreOfAResponseThatWaitsForTheWindowAfterAPause()
    {
        connect(MIN_BYTES_PER_SECOND);
        final MinSendRateHandler sendRate = channel.pipeline().get(MinSendRateHandler.class);
        request(STREAM_ID, WINDOW_LENGTH, WINDOW_LENGTH, false);
        assertEquals(WINDOW_LENGTH, Frames.of(channel.takeOutbound()).dataLength, "the window's worth is sent");
        for (long elapsedNs = 0; elapsedNs < MinSendRateHandler.IDLE_CONFIRM_NS + 2 * SAMPLE_NS; elapsedNs += SAMPLE_NS)
        {
            channel.advance(SAMPLE_NS);
        }
        assertFalse(sendRate.isSampling(), "everything written was taken: nothing is measured");

        // more of the body, which the shut window holds before a byte reaches the socket
        host.exchanges.get(0).body(Unpooled.wrappedBuffer(new byte[WINDOW_LENGTH]), false);
        channel.runPendingTasks();
        assertEquals(0, Frames.of(channel.takeOutbound()).dataLength);
        assertTrue(sendRate.isSampling(), "a response waiting for the window is measured");
        for (int i = 0; i <= MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            channel.advance(SAMPLE_NS);
        }

        assertFalse(channel.isOpen());
        assertEquals(1, host.aborts);
    }

    @Test
    void shouldKeepAClientThatOpensItsWindowAsItReadsAboveTheRate()
    {
        connect(MIN_BYTES_PER_SECOND);
        request(0);
        channel.takeOutbound();

        // a small window, opened by a little more than the rate each sample: ten windows take most of the response
        final int grantLength = (int)(MIN_BYTES_PER_SECOND * SAMPLE_NS / TimeUnit.SECONDS.toNanos(1)) + 24;
        long received = 0;
        for (int i = 0; i < 10 * MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            channel.advance(SAMPLE_NS);
            assertTrue(channel.isOpen(), "sample " + i + ", " + received + " bytes received");
            writer.writeWindowUpdate(encoderCtx, STREAM_ID, grantLength, encoderCtx.newPromise());
            channel.receive(clientBytes());
            received += Frames.of(channel.takeOutbound()).dataLength;
        }

        assertEquals(10L * MinSendRateHandler.SAMPLES_PER_WINDOW * grantLength, received, "each grant is sent");
        assertTrue(received < RESPONSE_LENGTH, "the response is still held back in part: " + received);
        assertEquals(0, host.aborts);
    }

    @Test
    void shouldNeverMeasureAnIdleConnectionWithNoResponseWaiting()
    {
        connect(MIN_BYTES_PER_SECOND);
        final MinSendRateHandler sendRate = channel.pipeline().get(MinSendRateHandler.class);
        channel.takeOutbound();

        // a stream answered whole, then nothing: nothing waits, so nothing is measured
        request(STREAM_ID, RESPONSE_LENGTH - 1, Http2CodecUtil.DEFAULT_WINDOW_SIZE, true);
        assertEquals(RESPONSE_LENGTH - 1, Frames.of(channel.takeOutbound()).dataLength);
        for (int i = 0; i < 10 * MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            channel.advance(SAMPLE_NS);
        }

        assertTrue(channel.isOpen());
        assertFalse(sendRate.isSampling(), "sampling stops once nothing is waiting");
        assertEquals(0, host.aborts);
    }

    @Test
    void shouldBeOffWhenTheMinimumRateIsZero()
    {
        connect(HttpConnectionConfig.DISABLED);
        assertNull(channel.pipeline().get(MinSendRateHandler.class));

        request(0);
        for (int i = 0; i < 10 * MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            channel.advance(SAMPLE_NS);
        }

        assertTrue(channel.isOpen());
        assertEquals(0, host.aborts);
    }

    private void connect(final long minBytesPerSecond)
    {
        final HttpConnectionConfig config = new HttpConnectionConfig()
            .minSendRate(minBytesPerSecond)
            .minSendRateGraceNs(GRACE_NS);
        final RequestQueue queue = new RequestQueue("app", 10);
        final PrefixRouter<QueueBinding> router = PrefixRouter.<QueueBinding>builder()
            .add("http://+:" + ClockedChannel.LOCAL_PORT + "/app/", new QueueBinding(
                queue, host, "/app/", Long.MAX_VALUE, ENTITY_BODY_NS, QUEUE_WAIT_NS))
            .build();
        Http2Pipeline.add(
            channel, router, new StrictDecoderConfig(), config, null, null, null, channel.clock());
    }

    /**
     * The client opens with a stream window of {@code initialWindowSize} and asks for a large response on stream 3,
     * which the host sends whole but for its end.
     */
    private void request(final int initialWindowSize)
    {
        request(STREAM_ID, RESPONSE_LENGTH, initialWindowSize, false);
    }

    private void request(final int streamId, final int length, final int initialWindowSize, final boolean last)
    {
        final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        encoder.writeOutbound(preface.retainedDuplicate());
        final Http2Settings settings = new Http2Settings().initialWindowSize(initialWindowSize);
        writer.writeSettings(encoderCtx, settings, encoderCtx.newPromise());
        writer.writeHeaders(encoderCtx, streamId, new DefaultHttp2Headers().method("GET").path("/app/x")
            .scheme("http").authority("localhost"), 0, true, encoderCtx.newPromise());
        channel.receive(clientBytes());

        assertEquals(1, host.exchanges.size(), "the request reached its host");
        final ClientExchange exchange = host.exchanges.get(0);
        final ByteBuf head = exchange.beginHead(200);
        exchange.finishHead(head, 200, last ? length : -1, null, 0, 0, false);
        exchange.body(Unpooled.wrappedBuffer(new byte[length]), last);
        channel.runPendingTasks();
    }

    private ByteBuf clientBytes()
    {
        encoder.flush();
        final ByteBuf bytes = Unpooled.buffer();
        ByteBuf buf;
        while (null != (buf = encoder.readOutbound()))
        {
            bytes.writeBytes(buf);
            buf.release();
        }
        return bytes;
    }

    /**
     * What the server wrote, frame by frame.
     */
    private static final class Frames
    {
        final List<Integer> types = new ArrayList<>();
        long dataLength;
        long goAwayErrorCode = -1;
        int goAwayLastStreamId = -1;

        static Frames of(final String bytes)
        {
            final Frames frames = new Frames();
            final ByteBuf in = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
            while (in.readableBytes() >= FRAME_HEADER_LENGTH)
            {
                final int length = in.readUnsignedMedium();
                final int type = in.readUnsignedByte();
                in.skipBytes(1 + 4);
                frames.types.add(type);
                if (TYPE_DATA == type)
                {
                    frames.dataLength += length;
                }
                if (TYPE_GOAWAY == type)
                {
                    frames.goAwayLastStreamId = in.getInt(in.readerIndex());
                    frames.goAwayErrorCode = in.getUnsignedInt(in.readerIndex() + 4);
                }
                in.skipBytes(length);
            }
            in.release();
            return frames;
        }
    }

    /**
     * Takes each request and keeps it, counting the aborts it is told.
     */
    private static final class RecordingHost implements Host
    {
        final List<ClientExchange> exchanges = new ArrayList<>();
        int aborts;

        public void start()
        {
        }

        public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
        {
            exchanges.add(exchange);
            return new RequestSink()
            {
                public boolean body(final ByteBuf content, final boolean last)
                {
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
