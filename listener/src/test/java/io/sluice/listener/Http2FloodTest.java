package io.sluice.listener;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 protections of the listener ({@code listener.http2}, Netty's HTTP/2 codec), each attacked with a raw
 * frame client ({@link RawHttp2Connection}): rapid reset, CONTINUATION flood, an HPACK bomb, a header list over
 * {@code maxRequestBytes}, empty DATA frames, a client that sends PINGs and reads no answer, streams past
 * {@code maxConcurrentStreams}. Each attack ends with the connection closed after a {@code GOAWAY} (or the one stream
 * refused or answered), and after each the listener still serves another client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2FloodTest
{
    private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
    private static final long REFUSED_STREAM = Http2Error.REFUSED_STREAM.code();
    private static final int MAX_RESETS = 10;
    private static final int MAX_CONCURRENT_STREAMS = 8;
    private static final int MAX_QUEUED_CONTROL_FRAMES = 100;
    private static final long WAIT_S = 20;
    private static final int PINGS_MAX = 2_000_000;
    private static final int PINGS_PER_BURST = 256;
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("http2", "{ maxResets: " + MAX_RESETS + ", maxConcurrentStreams: " + MAX_CONCURRENT_STREAMS +
            ", maxQueuedControlFrames: " + MAX_QUEUED_CONTROL_FRAMES + " }")
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2flood", CONFIG);

    @AfterEach
    void shouldStillServeAnotherClient() throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final Http2TestClient.Response response =
                client.send("GET", "/inproc/", null).get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(200, response.status(), response::toString);
            assertEquals(DeliveryHandler.HELLO, response.bodyText());
        }
    }

    @Test
    void shouldCloseWithGoAwayOnRapidReset() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            try
            {
                for (int i = 0; i < 4 * MAX_RESETS && !connection.closed().isDone(); i++)
                {
                    final int streamId = 1 + 2 * i;
                    connection.headers(streamId, RawHttp2Connection.request("POST", "/inproc/echo"), false);
                    connection.rstStream(streamId, Http2Error.CANCEL.code());
                }
            }
            catch (final IOException ex)
            {
                // the server closed the connection while resets were still being sent
            }

            assertEquals(ENHANCE_YOUR_CALM, connection.goAway().get(WAIT_S, TimeUnit.SECONDS));
            connection.closed().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldCloseWithGoAwayOnContinuationFlood() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            final Http2Flags noEnd = new Http2Flags().endOfHeaders(false);
            connection.frame(Http2FrameTypes.HEADERS, 1, noEnd, new byte[0]);
            try
            {
                for (int i = 0; i < 1000 && !connection.closed().isDone(); i++)
                {
                    connection.frame(Http2FrameTypes.CONTINUATION, 1, noEnd, new byte[] { 0 });
                }
            }
            catch (final IOException ex)
            {
                // the server closed the connection while frames were still being sent
            }

            connection.goAway().get(WAIT_S, TimeUnit.SECONDS);
            connection.closed().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseAnHpackBombWith431AndGoOnServingTheConnection() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            // the first copy enters the HPACK table, the 99 others are one byte each: 400 KB from 4 KB on the wire
            final Http2Headers headers = RawHttp2Connection.request("GET", "/inproc/");
            final String value = "a".repeat(4000);
            for (int i = 0; i < 100; i++)
            {
                headers.add("x-bomb", value);
            }
            connection.headers(1, headers, true);

            // decoding stops at the header list limit: the stream is answered 431, the connection goes on
            assertEquals(431, connection.status(1).get(WAIT_S, TimeUnit.SECONDS));
            connection.headers(3, RawHttp2Connection.request("GET", "/inproc/"), true);
            assertEquals(200, connection.status(3).get(WAIT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAnswer431ToAHeaderListOverMaxRequestBytesAndGoOnServingTheConnection() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            final Http2Headers headers = RawHttp2Connection.request("GET", "/inproc/");
            for (int i = 0; i < 17; i++)
            {
                headers.add("x-pad-" + i, "b".repeat(1000));
            }
            connection.headers(1, headers, true);
            assertEquals(431, connection.status(1).get(WAIT_S, TimeUnit.SECONDS));

            connection.headers(3, RawHttp2Connection.request("GET", "/inproc/"), true);
            assertEquals(200, connection.status(3).get(WAIT_S, TimeUnit.SECONDS));
            assertFalse(connection.goAway().isDone());
        }
    }

    @Test
    void shouldAnswer414ToAPathOverMaxUrlLengthAndGoOnServingTheConnection() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            connection.headers(1, RawHttp2Connection.request("GET", "/inproc/" + "c".repeat(5000)), true);
            assertEquals(414, connection.status(1).get(WAIT_S, TimeUnit.SECONDS));

            connection.headers(3, RawHttp2Connection.request("GET", "/inproc/"), true);
            assertEquals(200, connection.status(3).get(WAIT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCloseWithGoAwayOnEmptyDataFrames() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            connection.headers(1, RawHttp2Connection.request("POST", "/inproc/echo"), false);
            try
            {
                for (int i = 0; i < 10 && !connection.closed().isDone(); i++)
                {
                    connection.data(1, new byte[0], false);
                }
            }
            catch (final IOException ex)
            {
                // the server closed the connection while frames were still being sent
            }

            connection.goAway().get(WAIT_S, TimeUnit.SECONDS);
            connection.closed().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseAStreamPastMaxConcurrentStreamsAndServeTheOthers() throws Exception
    {
        try (RawHttp2Connection connection = connect())
        {
            for (int i = 0; i <= MAX_CONCURRENT_STREAMS; i++)
            {
                connection.headers(1 + 2 * i, RawHttp2Connection.request("POST", "/inproc/echo"), false);
            }
            final int refused = 1 + 2 * MAX_CONCURRENT_STREAMS;
            assertEquals(REFUSED_STREAM, connection.reset(refused).get(WAIT_S, TimeUnit.SECONDS));

            connection.data(1, "first".getBytes(StandardCharsets.US_ASCII), true);
            assertEquals(200, connection.status(1).get(WAIT_S, TimeUnit.SECONDS));
            assertFalse(connection.goAway().isDone());
        }
    }

    @Test
    void shouldCloseAClientThatSendsPingsAndReadsNoAnswer() throws Exception
    {
        // the server's send buffer (megabytes) fills with PING answers before the codec's queue does: the pings go
        // in bursts, without the build's paranoid leak detection, which records every byte read of every buffer
        // (tens of seconds for the ~400,000 pings it takes); the other attacks keep the codec's buffers tracked
        final ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        boolean closed = false;
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 4096, false))
        {
            for (int i = 0; i < PINGS_MAX; i += PINGS_PER_BURST)
            {
                connection.pings(i, PINGS_PER_BURST);
            }
        }
        catch (final IOException ex)
        {
            // the server closed the connection: the next write fails
            closed = true;
        }
        finally
        {
            ResourceLeakDetector.setLevel(leakDetection);
        }
        assertTrue(closed, PINGS_MAX + " unread PING answers and the connection is still open");
    }

    private static RawHttp2Connection connect() throws IOException
    {
        return RawHttp2Connection.connect(LISTENER.port(), 0, true);
    }
}
