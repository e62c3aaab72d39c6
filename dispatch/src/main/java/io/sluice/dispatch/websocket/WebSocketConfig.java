package io.sluice.dispatch.websocket;

/**
 * Limits of a {@link WebSocket}, in a small mutable object with validating setters.
 */
public final class WebSocketConfig
{
    /**
     * Default largest message, text or binary, after reassembling its fragments: {@value} bytes (16 MiB).
     */
    public static final int MAX_MESSAGE_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /**
     * Smallest largest-message setting: {@value} bytes, the largest control frame payload.
     */
    public static final int MIN_MAX_MESSAGE_LENGTH = 125;

    /**
     * Largest largest-message setting: {@value} bytes (1 GiB).
     */
    public static final int MAX_MAX_MESSAGE_LENGTH = 1 << 30;

    private int maxMessageLength = MAX_MESSAGE_LENGTH_DEFAULT;

    /**
     * @return the largest message, in bytes, a client may send; a larger one is refused with close code 1009.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @param maxMessageLength the largest message, in bytes, a client may send, {@value #MIN_MAX_MESSAGE_LENGTH} to
     *                         {@value #MAX_MAX_MESSAGE_LENGTH}.
     * @return this for a fluent API.
     * @throws IllegalArgumentException when out of range.
     */
    public WebSocketConfig maxMessageLength(final int maxMessageLength)
    {
        if (maxMessageLength < MIN_MAX_MESSAGE_LENGTH || maxMessageLength > MAX_MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("maxMessageLength out of range: maxMessageLength=" + maxMessageLength +
                ", min=" + MIN_MAX_MESSAGE_LENGTH + ", max=" + MAX_MAX_MESSAGE_LENGTH);
        }
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "WebSocketConfig{maxMessageLength=" + maxMessageLength + '}';
    }
}
