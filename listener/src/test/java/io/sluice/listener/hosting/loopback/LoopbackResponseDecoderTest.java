package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The forwarding connection's decoder: a response of the common form received whole is read from its bytes as one
 * {@link LoopbackPlainResponse}, its header lines copied for the client less framing and hop-by-hop ones; every other
 * form goes to Netty's decoder, as before, and so does everything after a {@code 101}.
 */
class LoopbackResponseDecoderTest
{
    private static final String PLAIN = "plain ";

    private final List<String> read = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(
        new LoopbackResponseDecoder(new LoopbackUpstream(null, null)), new Recorder(read));

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldReadACommonResponseWholeAndCopyItsHeadersLessFramingOnes()
    {
        write(true, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A:  v w \t\r\n" +
            "Connection: keep-alive\r\nDate: Sat, 05 Dec 2026 09:00:00 GMT\r\nKeep-Alive: timeout=5\r\nX-B: b\r\n" +
            "X-Empty:\r\nX-C: c\r\nX-D: d\r\n\r\nhello");

        assertEquals(List.of("plain 200 keep-alive [Content-Type: text/plain\r\nX-A: v w\r\nX-B: b\r\n" +
            "X-Empty: \r\nX-C: c\r\nX-D: d\r\n] hello"), read);
    }

    @Test
    void shouldReadPipelinedResponsesOneByOneAndTellAClose()
    {
        write(false, "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nnoHTTP/1.1 500 Oops\r\n" +
            "Content-Length: 0\r\nConnection: Close\r\nX-A: a\r\n\r\n");

        assertEquals(List.of("plain 404 keep-alive [] no", "plain 500 close [X-A: a\r\n] "), read);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 099 Below\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n",
        "HTTP/1.1 200 O\u0001K\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Folded: a\r\n b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX(A): 1\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: 1\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u007fb\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\nhello",
        "  HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    })
    void shouldLeaveEveryOtherFormToNettysDecoder(final String response)
    {
        write(true, response);

        assertNoneWhole(response);
    }

    @Test
    void shouldLeaveAHeadOfManyLinesToNettysDecoder()
    {
        final StringBuilder response = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
        for (int i = 0; i < 70; i++)
        {
            response.append("X-").append(i).append(": v\r\n");
        }
        write(true, response.append("\r\n").toString());

        assertNoneWhole("70 fields");
        assertEquals("HttpResponse 200", read.get(0));
    }

    @Test
    void shouldReadWholeAgainAfterAnInterimResponseAndAResponseNettyRead()
    {
        write(false, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "2\r\nok\r\n0\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx");

        assertEquals(List.of("HttpResponse 100", "LastHttpContent", "HttpResponse 200", "HttpContent",
            "LastHttpContent", "plain 201 keep-alive [] x"), read);
    }

    @Test
    void shouldReadAResponseSplitOverTwoReadsWithNettysDecoderThenTheNextWhole()
    {
        write(true, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
        write(true, "loHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");

        assertEquals(List.of("HttpResponse 200", "HttpContent", "LastHttpContent", "plain 200 keep-alive [] y"), read);
    }

    @Test
    void shouldLeaveAllBytesAfterASwitchToNettysDecoder()
    {
        write(false, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
        write(false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

        assertEquals("HttpResponse 101", read.get(0));
        assertNoneWhole("after a 101");
    }

    private void assertNoneWhole(final String what)
    {
        assertFalse(read.isEmpty(), what);
        for (final String msg : read)
        {
            assertFalse(msg.startsWith(PLAIN), () -> "read whole: " + what.replace("\r\n", "|") + " as " + msg);
        }
    }

    private void write(final boolean direct, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuf buf = direct ? Unpooled.directBuffer(bytes.length) : Unpooled.buffer(bytes.length);
        channel.writeInbound(buf.writeBytes(bytes));
    }

    /**
     * Describes each message as the forwarding connection takes it, at once (the decoder reuses its whole response).
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter
    {
        private final List<String> read;

        Recorder(final List<String> read)
        {
            this.read = read;
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                read.add(describe(msg));
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private static String describe(final Object msg)
        {
            if (msg instanceof LoopbackPlainResponse response)
            {
                final ByteBuf head = Unpooled.buffer();
                response.copyHeaders(head);
                final String headers = head.toString(StandardCharsets.ISO_8859_1);
                head.release();
                return PLAIN + response.status() + (response.isKeepAlive() ? " keep-alive [" : " close [") + headers +
                    "] " + response.bytes().toString(
                    response.bodyIndex(), response.contentLength(), StandardCharsets.ISO_8859_1);
            }
            if (msg instanceof HttpResponse response)
            {
                return "HttpResponse " + response.status().code();
            }
            if (msg instanceof LastHttpContent)
            {
                return "LastHttpContent";
            }
            if (msg instanceof HttpContent)
            {
                return "HttpContent";
            }
            return msg.getClass().getSimpleName();
        }
    }
}
