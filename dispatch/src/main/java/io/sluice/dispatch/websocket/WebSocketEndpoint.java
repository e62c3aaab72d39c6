package io.sluice.dispatch.websocket;

import org.agrona.DirectBuffer;

/**
 * The application's side of one WebSocket: the messages the client sends. Callbacks are made on the thread that
 * feeds the {@link WebSocket} (the exchange's callback thread), in order; they must not block. A buffer is valid only
 * during the call.
 */
public interface WebSocketEndpoint
{
    /**
     * A complete text message, its fragments joined, its UTF-8 checked.
     *
     * @param webSocket the connection it came on.
     * @param buffer    holding the message's UTF-8 bytes.
     * @param offset    of the message in the buffer.
     * @param length    of the message in bytes; may be zero.
     */
    void onText(WebSocket webSocket, DirectBuffer buffer, int offset, int length);

    /**
     * A complete binary message, its fragments joined.
     *
     * @param webSocket the connection it came on.
     * @param buffer    holding the message.
     * @param offset    of the message in the buffer.
     * @param length    of the message in bytes; may be zero.
     */
    void onBinary(WebSocket webSocket, DirectBuffer buffer, int offset, int length);

    /**
     * A pong arrived (an answer to {@link WebSocket#ping}, or unsolicited). A ping from the client is answered with a
     * pong by the {@link WebSocket} itself.
     *
     * @param webSocket the connection it came on.
     * @param buffer    holding the pong's application data.
     * @param offset    of the data in the buffer.
     * @param length    of the data in bytes, 0 to 125.
     */
    default void onPong(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    /**
     * The connection can take more after {@link WebSocket#sendText} or {@link WebSocket#sendBinary} returned false.
     *
     * @param webSocket the connection that may go on.
     */
    default void onWritable(final WebSocket webSocket)
    {
    }

    /**
     * The connection is closing or closed; called once. Nothing more may be sent.
     *
     * @param webSocket the connection.
     * @param code      the close status: the client's (1005 when its close frame had none), the one the
     *                  {@link WebSocket} sent for a protocol error (1002, 1007, 1009), the one passed to
     *                  {@link WebSocket#close}, or 1006 when the connection ended without a close frame.
     * @param reason    the reason text, or an empty string.
     */
    default void onClose(final WebSocket webSocket, final int code, final String reason)
    {
    }
}
