package io.sluice.dispatch.websocket;

import io.sluice.dispatch.sample.SampleHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.sluice.dispatch.websocket.Frames.BINARY;
import static io.sluice.dispatch.websocket.Frames.CLOSE;
import static io.sluice.dispatch.websocket.Frames.TEXT;
import static io.sluice.dispatch.websocket.Frames.client;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleWebSocketEchoTest
{
    private final SampleHandler handler = new SampleHandler();
    private final RecordingExchange exchange = RecordingExchange.upgrade("AQIDBAUGBwgJCgsMDQ4PEA==");

    @Test
    void shouldEchoTextAndBinaryMessagesAndTheClose()
    {
        handler.onRequest(exchange);
        assertEquals(101, exchange.status);
        final byte[] binary = new byte[65536];
        for (int i = 0; i < binary.length; i++)
        {
            binary[i] = (byte)i;
        }

        feed(client(TEXT, "echo me".getBytes(StandardCharsets.UTF_8)));
        feed(client(BINARY, binary));
        feed(Frames.close(1000, ""));

        final List<Frames.Frame> sent = Frames.parse(exchange.takeBody());
        assertEquals(3, sent.size());
        assertEquals(TEXT, sent.get(0).opcode());
        assertArrayEquals("echo me".getBytes(StandardCharsets.UTF_8), sent.get(0).payload());
        assertEquals(BINARY, sent.get(1).opcode());
        assertArrayEquals(binary, sent.get(1).payload());
        assertEquals(CLOSE, sent.get(2).opcode());
        assertEquals(1000, sent.get(2).closeCode());
        assertTrue(exchange.ended);
    }

    @Test
    void shouldAnswerAPlainGetOfWsWith426()
    {
        exchange.requestHeaders.remove("upgrade");

        handler.onRequest(exchange);

        assertEquals(426, exchange.status);
        assertTrue(exchange.ended);
    }

    private void feed(final byte[] bytes)
    {
        handler.onBody(exchange, new UnsafeBuffer(bytes), 0, bytes.length, false);
    }
}
