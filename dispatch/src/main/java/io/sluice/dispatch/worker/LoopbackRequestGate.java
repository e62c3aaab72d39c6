package io.sluice.dispatch.worker;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.dispatch.http.TlsInfo;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * What a loopback worker checks of a request from the listener before its handler sees it, as pure functions of the
 * request's fields: the token, the readiness probe's challenge and the proof that answers it, the application path,
 * and the fields of the hop that are hidden from the handler. One per worker; thread-safe.
 */
final class LoopbackRequestGate
{
    /**
     * Longest challenge answered: {@value} characters.
     */
    static final int MAX_CHALLENGE_LENGTH = 256;

    private static final String HMAC = "HmacSHA256";
    private static final String HTTPS = "https";

    private final byte[] token;
    private final String applicationPath;

    /**
     * @param token           the secret every request must carry, as bytes.
     * @param applicationPath the path the worker serves, ending with {@code /}.
     */
    LoopbackRequestGate(final byte[] token, final String applicationPath)
    {
        this.token = token;
        this.applicationPath = applicationPath;
    }

    /**
     * @param presented the request's {@code Sluice-Token}, or null.
     * @return true when it is this worker's token (compared in constant time).
     */
    boolean tokenMatches(final String presented)
    {
        return null != presented && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param challenge the readiness probe's {@code Sluice-Challenge}, or null.
     * @return true when it is hex digits, at most {@link #MAX_CHALLENGE_LENGTH} of them.
     */
    static boolean isValidChallenge(final String challenge)
    {
        return null != challenge && !challenge.isEmpty() && challenge.length() <= MAX_CHALLENGE_LENGTH &&
            isHex(challenge);
    }

    /**
     * The answer to the readiness probe: the lower-case hex HMAC-SHA256 of the challenge keyed with the token, which
     * proves this process holds the token without sending it.
     *
     * @param challenge a {@link #isValidChallenge valid} challenge.
     * @return the proof.
     * @throws GeneralSecurityException when the JDK cannot compute the HMAC.
     */
    String proof(final String challenge) throws GeneralSecurityException
    {
        final Mac mac = Mac.getInstance(HMAC);
        mac.init(new SecretKeySpec(token, HMAC));
        return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A queue may have several prefixes with different paths, while the environment names the first: the listener
     * says which prefix matched in {@code Sluice-Appl-Path}, trusted because the request carried the token.
     *
     * @param path    the request's normalized path.
     * @param matched the listener's {@code Sluice-Appl-Path}, or null.
     * @return true when the path is the application's.
     */
    boolean isInApplication(final String path, final String matched)
    {
        if (LoopbackPaths.isUnder(path, applicationPath))
        {
            return true;
        }
        return null != matched && LoopbackPaths.isUnder(path, LoopbackPaths.withTrailingSlash(matched));
    }

    /**
     * Give the handler the fields a handler of the in-process or shared-memory model would see: remove those the
     * listener adds for the hop to this worker ({@code X-Forwarded-For}, {@code X-Forwarded-Proto},
     * {@code Sluice-*} with the TLS facts of {@link TlsInfo}, and the {@code Content-Length} or {@code Transfer-Encoding} it writes after
     * {@code X-Forwarded-For} when the client sent no such framing). The listener never forwards a client's copy of
     * these, and writes its own after the client's fields, {@code X-Forwarded-For} first; the client's
     * {@code Content-Length} stays in its place. What they carry is {@link Exchange#remoteAddress()} and
     * {@link Exchange#contentLength()}. Called after the request head was decoded: the body's framing is already
     * known.
     *
     * @param headers the request's fields, changed in place.
     */
    static void hideTransportFields(final HttpHeaders headers)
    {
        boolean afterForwardedFor = false;
        boolean addedLength = false;
        boolean addedChunked = false;
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final CharSequence name = it.next().getKey();
            if (LoopbackProtocol.X_FORWARDED_FOR.contentEqualsIgnoreCase(name))
            {
                afterForwardedFor = true;
            }
            else if (afterForwardedFor && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
            {
                addedLength = true;
            }
            else if (afterForwardedFor && HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name))
            {
                addedChunked = true;
            }
        }
        headers.remove(LoopbackProtocol.X_FORWARDED_FOR);
        headers.remove(LoopbackProtocol.X_FORWARDED_PROTO);
        headers.remove(LoopbackProtocol.SLUICE_APPL_PATH);
        headers.remove(LoopbackProtocol.SLUICE_EVENT);
        headers.remove(LoopbackProtocol.SLUICE_TOKEN);
        if (headers.contains(TlsInfo.PROTOCOL_FIELD))
        {
            headers.remove(TlsInfo.PROTOCOL_FIELD);
            headers.remove(TlsInfo.CIPHER_FIELD);
            headers.remove(TlsInfo.SERVER_NAME_FIELD);
            headers.remove(TlsInfo.CLIENT_CERT_FIELD);
        }
        if (addedLength)
        {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (addedChunked)
        {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
    }

    /**
     * The TLS facts the listener sends with a request that came over TLS ({@code X-Forwarded-Proto: https} and the
     * {@link TlsInfo} fields); read before {@link #hideTransportFields} removes them. Trusted: the request carried the
     * worker's token, and the listener never forwards a client's {@code Sluice-*} or {@code X-Forwarded-Proto}.
     *
     * @param headers the request's fields.
     * @return the facts, or null for a request that came over cleartext.
     */
    static TlsInfo tls(final HttpHeaders headers)
    {
        if (!headers.containsValue(LoopbackProtocol.X_FORWARDED_PROTO, HTTPS, true))
        {
            return null;
        }
        return TlsInfo.fromFields(
            headers.get(TlsInfo.PROTOCOL_FIELD),
            headers.get(TlsInfo.CIPHER_FIELD),
            headers.get(TlsInfo.SERVER_NAME_FIELD),
            headers.get(TlsInfo.CLIENT_CERT_FIELD));
    }

    private static boolean isHex(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }
        return true;
    }
}
