package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * Decodes a worker's responses on a forwarding connection. The proxy writes request heads as bytes (no request
 * encoder to remember the method), so the decoder asks the connection whether the request in flight is a HEAD, whose
 * response has headers only. One request is in flight per connection at a time.
 * <p>
 * Between responses, a response of the common form received whole ({@link LoopbackPlainResponse}: a final status,
 * {@code Content-Length} framing, a plain head) is read from its bytes, every byte of its head checked, and handed on
 * as that one message, without Netty's message and header objects; anything else is Netty's decoder's to read, as
 * are all bytes once a {@code 101} passed (the tunnel's).
 */
final class LoopbackResponseDecoder extends HttpResponseDecoder
{
    /**
     * Largest response head accepted from a worker: {@value} bytes.
     */
    static final int MAX_HEADER_LENGTH = 64 * 1024;

    /**
     * Largest body chunk handed on at once: {@value} bytes. Larger than Netty's default so that a big response
     * crosses in fewer, larger writes.
     */
    static final int MAX_CHUNK_LENGTH = 64 * 1024;

    private static final int SWITCHING_PROTOCOLS = 101;
    private static final byte[] EMPTY = new byte[0];

    private final LoopbackUpstream upstream;
    private final LoopbackPlainResponse plain = new LoopbackPlainResponse();
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private boolean betweenResponses = true;
    private boolean switched;

    LoopbackResponseDecoder(final LoopbackUpstream upstream)
    {
        super(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_LENGTH).setMaxChunkSize(MAX_CHUNK_LENGTH));
        this.upstream = upstream;
    }

    /**
     * {@inheritDoc}
     */
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf buffer, final List<Object> out)
        throws Exception
    {
        if (betweenResponses && !switched && readPlain(buffer, out))
        {
            return;
        }
        final int outSize = out.size();
        final int readerIndex = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        final int size = out.size();
        if (size > outSize)
        {
            for (int i = outSize; i < size; i++)
            {
                if (out.get(i) instanceof HttpResponse response && SWITCHING_PROTOCOLS == response.status().code())
                {
                    switched = true;
                }
            }
            // Netty's decoder is between responses again only once it handed on the end of one it read cleanly
            betweenResponses = out.get(size - 1) instanceof LastHttpContent last && last.decoderResult().isSuccess();
        }
        else if (buffer.readerIndex() != readerIndex)
        {
            betweenResponses = false;
        }
    }

    /**
     * {@inheritDoc}
     */
    protected boolean isContentAlwaysEmpty(final HttpMessage msg)
    {
        // a 101 has no body whatever its fields say: what follows it is the tunnel's, passed on as bytes
        return upstream.expectsEmptyBody() || super.isContentAlwaysEmpty(msg) ||
            msg instanceof HttpResponse response && SWITCHING_PROTOCOLS == response.status().code();
    }

    private boolean readPlain(final ByteBuf buffer, final List<Object> out)
    {
        if (upstream.expectsEmptyBody() || !(buffer.hasMemoryAddress() || buffer.hasArray()))
        {
            return false;
        }
        final int length = Math.min(buffer.readableBytes(), LoopbackPlainResponse.MAX_LENGTH);
        if (buffer.hasMemoryAddress())
        {
            view.wrap(buffer.memoryAddress() + buffer.readerIndex(), length);
        }
        else
        {
            view.wrap(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), length);
        }
        final int responseLength = plain.parse(view, length);
        view.wrap(EMPTY);
        if (LoopbackPlainResponse.DECLINED == responseLength)
        {
            return false;
        }
        plain.bytes(buffer.readRetainedSlice(responseLength));
        out.add(plain);
        return true;
    }
}
