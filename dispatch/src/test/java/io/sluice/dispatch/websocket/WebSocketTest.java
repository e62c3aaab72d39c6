package io.sluice.dispatch.websocket;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSocketTest
{
    private static final String RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private final RecordingExchange exchange = RecordingExchange.upgrade(RFC_KEY);
    private final RecordingEndpoint endpoint = new RecordingEndpoint();

    @Test
    void shouldAnswerTheRfcSampleKeyWith101AndItsAcceptValue()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);

        assertEquals(101, exchange.status);
        assertEquals(RFC_ACCEPT, exchange.responseHeaders.get("Sec-WebSocket-Accept"));
        assertEquals("websocket", exchange.responseHeaders.get("Upgrade"));
        assertSame(webSocket, WebSocket.of(exchange));
        assertFalse(exchange.ended);
    }

    @Test
    void shouldRefuseAnotherVersionWith426NamingVersion13()
    {
        exchange.requestHeaders.put("sec-websocket-version", "8");

        assertNull(WebSocket.accept(exchange, endpoint));
        assertEquals(426, exchange.status);
        assertEquals("13", exchange.responseHeaders.get("Sec-WebSocket-Version"));
        assertTrue(exchange.ended);
    }

    @Test
    void shouldRefuseARequestWithoutUpgradeWith426()
    {
        exchange.requestHeaders.remove("upgrade");

        assertNull(WebSocket.accept(exchange, endpoint));
        assertEquals(426, exchange.status);
    }

    @Test
    void shouldRefuseAPostWith426()
    {
        exchange.method = "POST";

        assertNull(WebSocket.accept(exchange, endpoint));
        assertEquals(426, exchange.status);
    }

    @Test
    void shouldRefuseAKeyThatIsNotSixteenBytesWith400()
    {
        exchange.requestHeaders.put("sec-websocket-key", "c2hvcnQ=");

        assertNull(WebSocket.accept(exchange, endpoint));
        assertEquals(400, exchange.status);
    }

    @Test
    void shouldRefuseAMissingKeyWith400()
    {
        exchange.requestHeaders.remove("sec-websocket-key");

        assertNull(WebSocket.accept(exchange, endpoint));
        assertEquals(400, exchange.status);
    }

    @Test
    void shouldDeliverAMaskedTextMessage()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, client(TEXT, utf8("héllo")));

        assertEquals(List.of("text:héllo"), endpoint.events);
        assertArrayEquals(new byte[0], exchange.takeBody());
    }

    @Test
    void shouldDeliverAnEmptyBinaryMessage()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, client(BINARY, new byte[0]));

        assertEquals(List.of("binary:0"), endpoint.events);
    }

    @Test
    void shouldDeliverAMessageFedOneByteAtATime()
    {
        final WebSocket webSocket = accepted();
        final byte[] bytes = client(TEXT, utf8("one byte at a time"));

        for (int i = 0; i < bytes.length; i++)
        {
            webSocket.onBody(new UnsafeBuffer(bytes), i, 1, false);
        }

        assertEquals(List.of("text:one byte at a time"), endpoint.events);
    }

    @Test
    void shouldJoinFragmentsAndAnswerAPingSentBetweenThem()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, concat(
            frame(false, TEXT, true, utf8("frag")),
            client(PING, utf8("p")),
            frame(false, CONTINUATION, true, utf8("men")),
            frame(true, CONTINUATION, true, utf8("ted"))));

        assertEquals(List.of("text:fragmented"), endpoint.events);
        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(1, sent.size());
        assertEquals(PONG, sent.get(0).opcode());
        assertArrayEquals(utf8("p"), sent.get(0).payload());
    }

    @Test
    void shouldDeliverALargeBinaryMessageWhole()
    {
        final WebSocket webSocket = accepted();
        final byte[] payload = new byte[200_000];
        Arrays.fill(payload, (byte)7);

        feed(webSocket, concat(frame(false, BINARY, true, Arrays.copyOf(payload, 70_000)),
            frame(true, CONTINUATION, true, Arrays.copyOfRange(payload, 70_000, payload.length))));

        assertEquals(List.of("binary:200000"), endpoint.events);
        assertArrayEquals(payload, endpoint.lastMessage);
    }

    @Test
    void shouldSendUnmaskedTextAndBinaryFrames()
    {
        final WebSocket webSocket = accepted();

        assertTrue(webSocket.sendText("hi"));
        final byte[] large = new byte[70_000];
        assertTrue(webSocket.sendBinary(new UnsafeBuffer(large), 0, large.length));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(2, sent.size());
        assertEquals(TEXT, sent.get(0).opcode());
        assertArrayEquals(utf8("hi"), sent.get(0).payload());
        assertEquals(BINARY, sent.get(1).opcode());
        assertTrue(sent.get(1).fin());
        assertEquals(large.length, sent.get(1).payload().length);
    }

    @Test
    void shouldCloseWith1007OnATextMessageThatIsNotUtf8()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, client(TEXT, new byte[]{'a', (byte)0xc3, (byte)0x28}));

        assertClosedWith(1007);
        assertEquals(List.of("close:1007:bytes are not UTF-8"), endpoint.events);
    }

    @Test
    void shouldCloseWith1007OnBadUtf8SplitAcrossFragments()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, concat(frame(false, TEXT, true, new byte[]{'a', (byte)0xe2}),
            frame(true, CONTINUATION, true, new byte[]{(byte)0x28, (byte)0xa1})));

        assertClosedWith(1007);
    }

    @Test
    void shouldCloseWith1009OnAFrameOverTheLimit()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint, new WebSocketConfig().maxMessageLength(1000));

        feed(webSocket, client(BINARY, new byte[1001]));

        assertClosedWith(1009);
    }

    @Test
    void shouldCloseWith1009OnFragmentsThatTogetherGoOverTheLimit()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint, new WebSocketConfig().maxMessageLength(1000));

        feed(webSocket, concat(frame(false, BINARY, true, new byte[600]), frame(true, CONTINUATION, true,
            new byte[600])));

        assertClosedWith(1009);
        assertEquals(List.of("close:1009:message too big"), endpoint.events);
    }

    @Test
    void shouldCloseWith1002OnAnUnmaskedClientFrame()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, frame(true, TEXT, false, utf8("bare")));

        assertClosedWith(1002);
        assertEquals(List.of("close:1002:received a frame that is not masked as expected"), endpoint.events);
    }

    @Test
    void shouldCloseWith1002OnAContinuationWithoutAStart()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, frame(true, CONTINUATION, true, utf8("x")));

        assertClosedWith(1002);
    }

    @Test
    void shouldAnswerPingWithPongOfTheSameData()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, client(PING, utf8("are you there")));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(1, sent.size());
        assertEquals(PONG, sent.get(0).opcode());
        assertArrayEquals(utf8("are you there"), sent.get(0).payload());
        assertFalse(exchange.ended);
    }

    @Test
    void shouldDeliverAPongAnsweringItsPing()
    {
        final WebSocket webSocket = accepted();
        webSocket.ping(new UnsafeBuffer(utf8("42")), 0, 2);
        assertEquals(PING, Frames.parse(exchange.takeBody()).get(0).opcode());

        feed(webSocket, client(PONG, utf8("42")));

        assertEquals(List.of("pong:42"), endpoint.events);
    }

    @Test
    void shouldEchoTheClientsCloseAndEndTheExchange()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, Frames.close(1000, "bye"));

        assertClosedWith(1000);
        assertEquals(List.of("close:1000:bye"), endpoint.events);
        assertFalse(webSocket.isOpen());
    }

    @Test
    void shouldAnswerACloseWithoutCodeWithAnEmptyClose()
    {
        final WebSocket webSocket = accepted();

        feed(webSocket, client(CLOSE, new byte[0]));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(1, sent.size());
        assertEquals(CLOSE, sent.get(0).opcode());
        assertEquals(0, sent.get(0).payload().length);
        assertTrue(exchange.ended);
        assertEquals(List.of("close:1005"), endpoint.events);
    }

    @Test
    void shouldEndAServerInitiatedCloseWhenTheClientAnswers()
    {
        final WebSocket webSocket = accepted();

        webSocket.close(1001, "going");
        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(CLOSE, sent.get(0).opcode());
        assertEquals(1001, sent.get(0).closeCode());
        assertFalse(exchange.ended);
        assertFalse(webSocket.sendText("late"));

        feed(webSocket, Frames.close(1001, ""));

        assertTrue(exchange.ended);
        assertArrayEquals(new byte[0], exchange.takeBody());
        assertEquals(List.of("close:1001:going"), endpoint.events);
    }

    @Test
    void shouldEndWith1006WhenTheClientGoesAwayWithoutClose()
    {
        final WebSocket webSocket = accepted();

        webSocket.onBody(new UnsafeBuffer(new byte[0]), 0, 0, true);

        assertTrue(exchange.ended);
        assertEquals(List.of("close:1006"), endpoint.events);
    }

    @Test
    void shouldReport1006OnAbortAndSendNothing()
    {
        final WebSocket webSocket = accepted();

        webSocket.onAbort();

        assertFalse(exchange.ended);
        assertEquals(List.of("close:1006"), endpoint.events);
        assertFalse(webSocket.sendText("after"));
        assertEquals(0, exchange.takeBody().length);
    }

    @Test
    void shouldReportAFullSendWindowAndCallOnWritable()
    {
        final WebSocket webSocket = accepted();
        exchange.windowOpen = false;

        assertFalse(webSocket.sendText("held"));
        assertFalse(webSocket.isWritable());
        exchange.windowOpen = true;
        webSocket.onWritable();

        assertTrue(webSocket.isWritable());
        assertEquals(List.of("writable"), endpoint.events);
    }

    @Test
    void shouldRethrowWhatTheEndpointThrows()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, new RecordingEndpoint()
        {
            public void onText(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
            {
                throw new IllegalStateException("handler bug");
            }
        });

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> feed(webSocket, client(TEXT, utf8("x"))));
        assertEquals("handler bug", ex.getMessage());
    }

    @Test
    void shouldRefuseAPingLongerThan125Bytes()
    {
        final WebSocket webSocket = accepted();

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> webSocket.ping(new UnsafeBuffer(new byte[126]), 0, 126));
        assertEquals("ping data too long: length=126, limit=125", ex.getMessage());
    }

    @Test
    void shouldRefuseAMessageLimitBelowAControlFrame()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new WebSocketConfig().maxMessageLength(124));
        assertEquals("maxMessageLength out of range: maxMessageLength=124, min=125, max=1073741824", ex.getMessage());
    }

    private WebSocket accepted()
    {
        final WebSocket webSocket = WebSocket.accept(exchange, endpoint);
        assertEquals(101, exchange.status);
        return webSocket;
    }

    private void assertClosedWith(final int code)
    {
        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(1, sent.size(), "frames sent");
        assertEquals(CLOSE, sent.get(0).opcode());
        assertEquals(code, sent.get(0).closeCode());
        assertTrue(exchange.ended, "exchange ended");
    }

    private static void feed(final WebSocket webSocket, final byte[] bytes)
    {
        webSocket.onBody(new UnsafeBuffer(bytes), 0, bytes.length, false);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * Records what reaches the application, as short strings.
     */
    static class RecordingEndpoint implements WebSocketEndpoint
    {
        final List<String> events = new ArrayList<>();
        byte[] lastMessage;

        public void onText(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            events.add("text:" + buffer.getStringWithoutLengthUtf8(offset, length));
        }

        public void onBinary(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            lastMessage = new byte[length];
            buffer.getBytes(offset, lastMessage);
            events.add("binary:" + length);
        }

        public void onPong(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            events.add("pong:" + buffer.getStringWithoutLengthUtf8(offset, length));
        }

        public void onWritable(final WebSocket webSocket)
        {
            events.add("writable");
        }

        public void onClose(final WebSocket webSocket, final int code, final String reason)
        {
            events.add("close:" + code + (reason.isEmpty() ? "" : ":" + reason));
        }
    }
}
