package io.sluice.listener.hosting.loopback;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Decodes a worker's responses on a forwarding connection. The proxy writes request heads as bytes (no request
 * encoder to remember the method), so the decoder asks the connection whether the request in flight is a HEAD, whose
 * response has headers only. One request is in flight per connection at a time.
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

    private final LoopbackUpstream upstream;

    LoopbackResponseDecoder(final LoopbackUpstream upstream)
    {
        super(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_LENGTH).setMaxChunkSize(MAX_CHUNK_LENGTH));
        this.upstream = upstream;
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
}
