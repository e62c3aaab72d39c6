package io.sluice.listener.hosting.loopback;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.dispatch.worker.LoopbackProtocol;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The readiness handshake with a starting loopback worker: proof that whatever answers on the port given to the
 * worker is that worker, before the listener sends it the token or any request. Whoever listens on the port gets
 * <pre>
 *   GET &lt;application path&gt; HTTP/1.1
 *   host: 127.0.0.1:&lt;port&gt;
 *   sluice-event: ready
 *   sluice-challenge: &lt;64 hex digits, fresh and random for each probe&gt;
 *   connection: close
 * </pre>
 * with no token, and is ready only when it answers 200 with {@code sluice-proof:} the lower-case hex
 * HMAC-SHA256 of the challenge's ASCII bytes keyed with the token's ASCII bytes: only the process the listener gave the
 * token to ({@code SLUICE_TOKEN}) can compute it, and the challenge is never reused, so a proof seen once is worth
 * nothing later. The proof is compared in constant time. A missing or wrong proof, another status, no answer within
 * {@value #RESPONSE_TIMEOUT_MS} ms or a closed connection: not ready (the host probes again, until the worker's
 * {@code startupTimeLimit}).
 * <p>
 * One instance per probe connection; event-loop confined.
 */
final class LoopbackReadiness extends ChannelInboundHandlerAdapter
{
    /**
     * {@code Sluice-Event} value of the readiness probe.
     */
    static final String READY_EVENT = LoopbackProtocol.READY_EVENT;

    /**
     * Header naming the probe's event.
     */
    static final String EVENT_HEADER = LoopbackProtocol.SLUICE_EVENT.toString();

    /**
     * Header carrying the probe's challenge.
     */
    static final String CHALLENGE_HEADER = LoopbackProtocol.SLUICE_CHALLENGE.toString();

    /**
     * Header carrying the worker's proof.
     */
    static final String PROOF_HEADER = LoopbackProtocol.SLUICE_PROOF.toString();

    /**
     * Time a worker has to answer one probe: {@value} ms.
     */
    static final long RESPONSE_TIMEOUT_MS = 1_000;

    /**
     * Largest readiness answer read: {@value} bytes.
     */
    static final int MAX_RESPONSE_LENGTH = 8192;

    private static final String HMAC = "HmacSHA256";
    private static final int CHALLENGE_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String applicationPath;
    private final int port;
    private final String challenge;
    private final byte[] expectedProof;
    private final Consumer<String> onDone;
    private ScheduledFuture<?> timeout;
    private boolean done;

    /**
     * @param applicationPath the path the worker serves.
     * @param port            the worker's port.
     * @param token           the worker's token, the key of the proof.
     * @param onDone          called once, on the event loop, with null when the proof holds, else with why not.
     */
    LoopbackReadiness(final String applicationPath, final int port, final String token, final Consumer<String> onDone)
    {
        final byte[] random = new byte[CHALLENGE_LENGTH];
        RANDOM.nextBytes(random);
        this.applicationPath = applicationPath;
        this.port = port;
        this.challenge = HexFormat.of().formatHex(random);
        this.expectedProof = proof(token, challenge).getBytes(StandardCharsets.US_ASCII);
        this.onDone = onDone;
    }

    /**
     * @param token     the key.
     * @param challenge the message.
     * @return lower-case hex HMAC-SHA256 of the challenge's ASCII bytes keyed with the token's ASCII bytes.
     */
    static String proof(final String token, final String challenge)
    {
        try
        {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.US_ASCII), HMAC));
            return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HMAC-SHA256 unavailable", ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        timeout = ctx.executor().schedule(
            () -> finish(ctx, "no answer within " + RESPONSE_TIMEOUT_MS + " ms"),
            RESPONSE_TIMEOUT_MS,
            TimeUnit.MILLISECONDS);
        final FullHttpRequest request = new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, applicationPath, Unpooled.EMPTY_BUFFER);
        request.headers()
            .set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
            .set(EVENT_HEADER, READY_EVENT)
            .set(CHALLENGE_HEADER, challenge)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(request).addListener((ChannelFutureListener)(future) ->
        {
            if (!future.isSuccess())
            {
                finish(ctx, "cannot send the probe: " + future.cause());
            }
        });
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (!(msg instanceof FullHttpResponse response))
            {
                finish(ctx, "not an HTTP response");
                return;
            }
            if (response.decoderResult().isFailure())
            {
                finish(ctx, "invalid answer: " + response.decoderResult().cause());
                return;
            }
            if (response.status().code() != 200)
            {
                finish(ctx, "answered " + response.status().code());
                return;
            }
            final String proof = response.headers().get(PROOF_HEADER);
            if (null == proof)
            {
                finish(ctx, "no " + PROOF_HEADER + " in the answer");
                return;
            }
            final boolean valid = MessageDigest.isEqual(
                expectedProof, proof.trim().getBytes(StandardCharsets.US_ASCII));
            finish(ctx, valid ? null : "wrong " + PROOF_HEADER);
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        finish(ctx, "closed without an answer");
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        finish(ctx, String.valueOf(cause));
    }

    private void finish(final ChannelHandlerContext ctx, final String failure)
    {
        if (done)
        {
            return;
        }
        done = true;
        if (null != timeout)
        {
            timeout.cancel(false);
        }
        ctx.close();
        onDone.accept(failure);
    }
}
