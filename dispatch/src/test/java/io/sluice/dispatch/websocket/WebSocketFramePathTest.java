package io.sluice.dispatch.websocket;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static io.sluice.dispatch.websocket.Frames.BINARY;
import static io.sluice.dispatch.websocket.Frames.CLOSE;
import static io.sluice.dispatch.websocket.Frames.CONTINUATION;
import static io.sluice.dispatch.websocket.Frames.PING;
import static io.sluice.dispatch.websocket.Frames.PONG;
import static io.sluice.dispatch.websocket.Frames.TEXT;
import static io.sluice.dispatch.websocket.Frames.client;
import static io.sluice.dispatch.websocket.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The common frames read and written without the codec, and the hand-over between that path and the codec: a frame
 * cut between two chunks, a control frame or a fragmented message between whole frames, the size limit of the path,
 * and frames the codec must refuse (a non-minimal length, a reserved bit) refused as before.
 */
class WebSocketFramePathTest
{
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private final RecordingExchange exchange = RecordingExchange.upgrade(KEY);
    private final WebSocketTest.RecordingEndpoint endpoint = new WebSocketTest.RecordingEndpoint();

    @Test
    void shouldEchoTwoMessagesAndAnswerAPingBetweenThemInOrder()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, new Echo());

        feed(webSocket, concat(client(BINARY, bytes("one")), client(PING, bytes("p")), client(TEXT, bytes("two"))));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(3, sent.size());
        assertFrame(sent.get(0), BINARY, "one");
        assertFrame(sent.get(1), PONG, "p");
        assertFrame(sent.get(2), TEXT, "two");
    }

    @Test
    void shouldDeliverAFrameCutBetweenTwoChunksAndTheWholeFramesAroundIt()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);
        final byte[] cut = client(BINARY, bytes("cut in two"));

        feed(webSocket, concat(client(TEXT, bytes("before")), Arrays.copyOf(cut, 3)));
        feed(webSocket, concat(Arrays.copyOfRange(cut, 3, cut.length), client(TEXT, bytes("after"))));
        feed(webSocket, client(TEXT, bytes("later")));

        assertEquals(List.of("text:before", "binary:10", "text:after", "text:later"), endpoint.events);
    }

    @Test
    void shouldDeliverAWholeFrameAfterAFragmentedMessage()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);

        feed(webSocket, concat(frame(false, TEXT, true, bytes("frag")),
            frame(true, CONTINUATION, true, bytes("ment"))));
        feed(webSocket, client(BINARY, bytes("whole")));

        assertEquals(List.of("text:fragment", "binary:5"), endpoint.events);
    }

    @Test
    void shouldEchoMessagesAtAndOverTheLimitOfThePathWhole()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, new Echo());
        final byte[] atLimit = new byte[WebSocketFrameReader.MAX_PAYLOAD_LENGTH];
        final byte[] overLimit = new byte[WebSocketFrameReader.MAX_PAYLOAD_LENGTH + 1];
        for (int i = 0; i < overLimit.length; i++)
        {
            overLimit[i] = (byte)i;
        }
        System.arraycopy(overLimit, 1, atLimit, 0, atLimit.length);

        feed(webSocket, concat(client(BINARY, atLimit), client(BINARY, overLimit), client(TEXT, bytes("é and ascii"))));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(3, sent.size());
        assertEquals(BINARY, sent.get(0).opcode());
        assertArrayEquals(atLimit, sent.get(0).payload());
        assertArrayEquals(overLimit, sent.get(1).payload());
        assertFrame(sent.get(2), TEXT, "é and ascii");
    }

    @Test
    void shouldCloseWith1002OnALengthNotInItsShortestForm()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);
        final byte[] frame = {(byte)0x82, (byte)(0x80 | 126), 0, 3, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3};

        feed(webSocket, concat(client(BINARY, bytes("fine")), frame));

        assertEquals("binary:4", endpoint.events.get(0));
        assertClosedWith(1002);
    }

    @Test
    void shouldCloseWith1002OnAReservedBit()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);
        final byte[] frame = client(BINARY, bytes("rsv"));
        frame[0] |= 0x40;

        feed(webSocket, frame);

        assertEquals(1, endpoint.events.size(), endpoint.events.toString());
        assertTrue(endpoint.events.get(0).startsWith("close:1002"), endpoint.events.toString());
        assertClosedWith(1002);
    }

    private void assertClosedWith(final int code)
    {
        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(CLOSE, sent.get(sent.size() - 1).opcode());
        assertEquals(code, sent.get(sent.size() - 1).closeCode());
        assertTrue(exchange.ended, "exchange ended");
    }

    private static void assertFrame(final Frames.Frame frame, final int opcode, final String payload)
    {
        assertEquals(opcode, frame.opcode());
        assertTrue(frame.fin());
        assertArrayEquals(bytes(payload), frame.payload());
    }

    private static void feed(final WebSocket webSocket, final byte[] bytes)
    {
        webSocket.onBody(new UnsafeBuffer(bytes), 0, bytes.length, false);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * Sends every message back as it came.
     */
    private static final class Echo extends WebSocketTest.RecordingEndpoint
    {
        public void onText(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            webSocket.sendText(buffer, offset, length);
        }

        public void onBinary(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            webSocket.sendBinary(buffer, offset, length);
        }
    }
}
