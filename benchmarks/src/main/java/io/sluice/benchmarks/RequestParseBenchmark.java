package io.sluice.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.dispatch.http.PathNormalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Parsing one request with Netty's {@link HttpRequestDecoder}, strict settings and the listener's default limits, in an
 * {@link EmbeddedChannel} that plays one keep-alive connection (the decoder's state carries from one request to the
 * next). The bytes arrive as one pooled direct buffer, as from a
 * socket read; every message decoded is checked and released, and the input is checked to be fully released.
 * <ul>
 *     <li>{@link #decodeGet}: {@link TypicalRequest}'s GET, 8 headers;</li>
 *     <li>{@link #decodePost1KiB}: a POST with a 1 KiB JSON body and content-length;</li>
 *     <li>{@link #baselineNormalizePath}: {@link PathNormalizer#normalize} of the GET's target, the listener's next
 *     step, which touches the target once.</li>
 * </ul>
 * The embedded channel's pipeline plumbing is included; a socket's would be too.
 */
@State(Scope.Thread)
public class RequestParseBenchmark extends AbstractBenchmark
{
    /**
     * Body length of the POST.
     */
    static final int POST_BODY_LENGTH = 1024;

    private EmbeddedChannel channel;
    private ByteBuf getWire;
    private ByteBuf postWire;
    private String getTarget;

    /**
     * Build the channel and the request bytes.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        channel = new EmbeddedChannel(new HttpRequestDecoder(decoderConfig()));
        getWire = directCopy(TypicalRequest.getWire());
        postWire = directCopy(TypicalRequest.postWire(POST_BODY_LENGTH));
        getTarget = TypicalRequest.GET_TARGET;
    }

    /**
     * Close the channel and release the request bytes.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.finishAndReleaseAll();
        getWire.release();
        postWire.release();
    }

    /**
     * Decode the GET.
     *
     * @return the number of headers decoded.
     */
    @Benchmark
    public int decodeGet()
    {
        return decode(getWire, HttpMethod.GET, TypicalRequest.GET_TARGET, 0);
    }

    /**
     * Decode the POST and its body.
     *
     * @return the number of headers decoded.
     */
    @Benchmark
    public int decodePost1KiB()
    {
        return decode(postWire, HttpMethod.POST, TypicalRequest.POST_TARGET, POST_BODY_LENGTH);
    }

    /**
     * Normalize the GET's target.
     *
     * @return the path.
     */
    @Benchmark
    public String baselineNormalizePath()
    {
        final String path = PathNormalizer.normalize(getTarget);
        if (!TypicalRequest.GET_PATH.equals(path))
        {
            throw new IllegalStateException("normalize " + getTarget + ": expected=" + TypicalRequest.GET_PATH +
                ", got=" + path);
        }
        return path;
    }

    /**
     * Netty's decoder with strict framing and the listener's default line and header limits.
     *
     * @return a new decoder configuration.
     */
    static HttpDecoderConfig decoderConfig()
    {
        return new HttpDecoderConfig()
            .setMaxInitialLineLength(ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT)
            .setMaxHeaderSize(ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT)
            .setMaxChunkSize(64 * 1024)
            .setChunkedSupported(true)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setAllowPartialChunks(true);
    }

    private int decode(final ByteBuf wire, final HttpMethod method, final String uri, final int contentLength)
    {
        channel.writeInbound(wire.retainedDuplicate());

        final HttpObject first = channel.readInbound();
        if (!(first instanceof HttpRequest) || !first.decoderResult().isSuccess())
        {
            ReferenceCountUtil.release(first);
            throw new IllegalStateException("expected a request, got " + first);
        }
        final HttpRequest request = (HttpRequest)first;
        final int headerCount = request.headers().size();
        final boolean headMatches = request.method() == method && uri.equals(request.uri());
        ReferenceCountUtil.release(request);

        int contentRead = 0;
        boolean last = false;
        HttpObject next;
        while (!last && null != (next = channel.readInbound()))
        {
            if (next instanceof HttpContent)
            {
                contentRead += ((HttpContent)next).content().readableBytes();
            }
            last = next instanceof LastHttpContent;
            ReferenceCountUtil.release(next);
        }

        if (!headMatches || !last || contentRead != contentLength || wire.refCnt() != 1)
        {
            throw new IllegalStateException("decoded " + method + " " + uri + ": headMatches=" + headMatches +
                ", last=" + last + ", content=" + contentRead + "/" + contentLength + ", inputRefCnt=" + wire.refCnt());
        }
        return headerCount;
    }

    private static ByteBuf directCopy(final byte[] bytes)
    {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }
}
