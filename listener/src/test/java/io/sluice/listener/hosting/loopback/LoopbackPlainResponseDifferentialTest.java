package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A worker's response the fast form ({@link LoopbackPlainResponse}) accepts is one Netty's decoder and the header copy
 * it replaced ({@link LoopbackHeaders#copyResponseHeaders}) accept too, with the same status, framing, connection
 * reuse, header lines and body: hostile responses, and many random mutations of ordinary ones.
 */
class LoopbackPlainResponseDifferentialTest
{
    private static final byte[] ALPHABET = {
        '\r', '\n', 0, ' ', '\t', ':', ',', '0', '1', '5', '9', '+', '-', 'a', 'A', 'x', 0x7F, (byte)0x80, (byte)0xFF,
        0x0B, 0x0C, 0x1C, '"', '(', 'H', '/', '.' };
    private static final String[] BASES = {
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: v\r\n\r\nhello",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
        "HTTP/1.1 500 Oops\r\nConnection: keep-alive\r\nContent-Length: 0\r\nX-B:  b \r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: a\r\nX-B: b\r\n\r\n0123456789",
    };

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 05\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5 \r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length:5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length:\t5\t\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Keep-Alive\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: CLOSE \r\n\r\nhello",
        "HTTP/1.1 200 \u00ff\u0080\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 \r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A: \u00e9t\u00e9\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A: a:b\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A:\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A: \t \r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nSluice-Worker: x\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nTE: x\r\nTrailer: y\r\n" +
            "Content-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nDate: x\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 599 X\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 000000005\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A: a\r\n\r\nContent-Length: 5\r\n\r\nhello",
    })
    void shouldAcceptOnlyWhatNettyAcceptsAndAlike(final String response)
    {
        assertAlike(response.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldAgreeWithNettyAtTheLengthLimitsOfTheStatusLineAndHead()
    {
        for (int reasonLength = 4070; reasonLength < 4100; reasonLength++)
        {
            assertAlike(("HTTP/1.1 200 " + "r".repeat(reasonLength) + "\r\nContent-Length: 1\r\n\r\nx")
                .getBytes(StandardCharsets.ISO_8859_1));
        }
        for (int valueLength = 8100; valueLength < 8200; valueLength++)
        {
            assertAlike(("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX-A: " + "v".repeat(valueLength) + "\r\n\r\nx")
                .getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void shouldAgreeWithNettyOnRandomMutations()
    {
        final Random random = new Random(42);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] base = BASES[random.nextInt(BASES.length)].getBytes(StandardCharsets.ISO_8859_1);
            byte[] bytes = base;
            for (int m = 1 + random.nextInt(3); m > 0; m--)
            {
                bytes = mutate(random, bytes);
            }
            accepted += assertAlike(bytes);
        }
        // the mutations reach both sides: many still read by the fast form, the rest declined
        final int readWhole = accepted;
        assertTrue(readWhole > 10_000 && readWhole < 190_000, () -> "read whole " + readWhole);
    }

    private static byte[] mutate(final Random random, final byte[] bytes)
    {
        final int at = random.nextInt(bytes.length);
        final byte b = ALPHABET[random.nextInt(ALPHABET.length)];
        switch (random.nextInt(3))
        {
            case 0:
            {
                final byte[] copy = bytes.clone();
                copy[at] = b;
                return copy;
            }
            case 1:
            {
                final byte[] copy = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, copy, 0, at);
                copy[at] = b;
                System.arraycopy(bytes, at, copy, at + 1, bytes.length - at);
                return copy;
            }
            default:
            {
                if (bytes.length < 2)
                {
                    return bytes;
                }
                final byte[] copy = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, copy, 0, at);
                System.arraycopy(bytes, at + 1, copy, at, bytes.length - at - 1);
                return copy;
            }
        }
    }

    private static int assertAlike(final byte[] bytes)
    {
        final LoopbackPlainResponse plain = new LoopbackPlainResponse();
        final int length = plain.parse(new UnsafeBuffer(bytes), bytes.length);
        if (LoopbackPlainResponse.DECLINED == length)
        {
            return 0;
        }
        final ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, length);
        plain.bytes(buf);
        final ByteBuf head = Unpooled.buffer();
        plain.copyHeaders(head);
        final String fast = plain.status() + " " + plain.contentLength() + " " + plain.isKeepAlive() + " [" +
            head.toString(StandardCharsets.ISO_8859_1) + "] " +
            buf.toString(plain.bodyIndex(), plain.contentLength(), StandardCharsets.ISO_8859_1);
        head.release();
        buf.release();
        final String netty = netty(bytes);
        if (!fast.equals(netty))
        {
            fail("fast form read " + show(new String(bytes, StandardCharsets.ISO_8859_1)) + " as " + show(fast) +
                ", Netty's decoder as " + show(netty));
        }
        assertEquals(netty, fast);
        return 1;
    }

    private static String netty(final byte[] bytes)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseDecoder(new HttpDecoderConfig()
            .setMaxHeaderSize(LoopbackResponseDecoder.MAX_HEADER_LENGTH)
            .setMaxChunkSize(LoopbackResponseDecoder.MAX_CHUNK_LENGTH)));
        try
        {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
            final StringBuilder body = new StringBuilder();
            String head = null;
            Object msg;
            while (null != (msg = channel.readInbound()))
            {
                try
                {
                    if (msg instanceof HttpObject object && object.decoderResult().isFailure())
                    {
                        return "refused: " + object.decoderResult().cause();
                    }
                    if (msg instanceof HttpResponse response)
                    {
                        final int code = response.status().code();
                        if (code < 200 || code > 599 || HttpUtil.isTransferEncodingChunked(response))
                        {
                            return "other: " + code;
                        }
                        final ByteBuf copied = Unpooled.buffer();
                        final boolean valid = LoopbackHeaders.copyResponseHeaders(copied, response.headers());
                        final String headers = copied.toString(StandardCharsets.ISO_8859_1);
                        copied.release();
                        if (!valid)
                        {
                            return "502: invalid response header";
                        }
                        head = code + " " + HttpUtil.getContentLength(response, -1L) + " " +
                            HttpUtil.isKeepAlive(response) + " [" + headers + "] ";
                    }
                    if (msg instanceof HttpContent content)
                    {
                        body.append(content.content().toString(StandardCharsets.ISO_8859_1));
                    }
                    if (msg instanceof LastHttpContent)
                    {
                        return head + body;
                    }
                }
                finally
                {
                    ReferenceCountUtil.release(msg);
                }
            }
            return "incomplete: " + head;
        }
        finally
        {
            channel.finishAndReleaseAll();
        }
    }

    private static String show(final String text)
    {
        final StringBuilder shown = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F)
            {
                shown.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                shown.append(c);
            }
        }
        return shown.toString();
    }
}
