package io.sluice.dispatch.websocket;

import io.sluice.dispatch.worker.Exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server's side of the RFC 6455 opening handshake (section 4.2): checks a request and computes
 * {@code Sec-WebSocket-Accept}.
 */
public final class WebSocketHandshake
{
    /**
     * The only protocol version spoken: {@value}.
     */
    public static final String VERSION = "13";

    /**
     * Answer: the request is a valid opening handshake.
     */
    public static final int VALID = 101;

    /**
     * Answer: the request does not ask for a WebSocket, or asks for another version ({@code Upgrade Required}).
     */
    public static final int UPGRADE_REQUIRED = 426;

    /**
     * Answer: the request asks for a WebSocket but its handshake is malformed ({@code Bad Request}).
     */
    public static final int BAD_REQUEST = 400;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int KEY_NONCE_LENGTH = 16;

    private WebSocketHandshake()
    {
    }

    /**
     * Check an opening handshake: a {@code GET} whose {@code Upgrade} header lists {@code websocket}, with
     * {@code Sec-WebSocket-Version: 13} and a {@code Sec-WebSocket-Key} that is the base64 of 16 bytes. The
     * {@code Connection: upgrade} field is the listener's to check: it is what makes the listener pass {@code Upgrade}
     * on at all.
     *
     * @param exchange holding the request.
     * @return {@link #VALID}, {@link #UPGRADE_REQUIRED} or {@link #BAD_REQUEST}.
     */
    public static int check(final Exchange exchange)
    {
        if (!"GET".equals(exchange.method()) || !hasToken(exchange.header("upgrade"), "websocket"))
        {
            return UPGRADE_REQUIRED;
        }
        final String version = exchange.header("sec-websocket-version");
        if (null == version || !VERSION.equals(version.trim()))
        {
            return UPGRADE_REQUIRED;
        }
        return isValidKey(exchange.header("sec-websocket-key")) ? VALID : BAD_REQUEST;
    }

    /**
     * @param key the client's {@code Sec-WebSocket-Key}, or null.
     * @return true when it is the base64 encoding of 16 bytes.
     */
    public static boolean isValidKey(final String key)
    {
        if (null == key)
        {
            return false;
        }
        try
        {
            return Base64.getDecoder().decode(key.trim()).length == KEY_NONCE_LENGTH;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * @param key the client's {@code Sec-WebSocket-Key}.
     * @return the {@code Sec-WebSocket-Accept} value that answers it: base64 of the SHA-1 of the key and the RFC's
     * GUID.
     */
    public static String acceptKey(final String key)
    {
        try
        {
            final MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            final byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-1 unavailable", ex);
        }
    }

    /**
     * @param value a comma-separated header value, or null.
     * @param token to look for, case-insensitively.
     * @return true when the value lists the token.
     */
    static boolean hasToken(final String value, final String token)
    {
        if (null == value)
        {
            return false;
        }
        for (final String part : value.split(","))
        {
            if (part.trim().equalsIgnoreCase(token))
            {
                return true;
            }
        }
        return false;
    }
}
