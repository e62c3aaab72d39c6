package io.sluice.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminConnectionTest
{
    private static final AdminTimeouts TIMEOUTS = new AdminTimeouts(0, 0, 1_000, 1_000_000_000L);

    @Test
    void answersHealthAndKeepsTheConnection()
    {
        final AdminCounters counters = new AdminCounters();
        final EmbeddedChannel channel = channel(counters);
        channel.writeInbound(bytes("GET /health HTTP/1.1\r\nHost: admin\r\n\r\n"));
        final String answer = readAll(channel);
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\nok\n"), answer);
        assertTrue(channel.isActive());
        assertEquals(1, counters.answeredRequests());
        channel.finishAndReleaseAll();
    }

    @Test
    void answersMetricsWithTheSuppliedText()
    {
        final AdminCounters counters = new AdminCounters();
        final EmbeddedChannel channel = channel(counters);
        channel.writeInbound(bytes("GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n"));
        assertTrue(readAll(channel).endsWith("\r\n\r\nsluice_test 1\n"));
        channel.finishAndReleaseAll();
    }

    @Test
    void closesAfterAnAnswerThatEndsTheConnection()
    {
        final AdminCounters counters = new AdminCounters();
        final EmbeddedChannel channel = channel(counters);
        channel.writeInbound(bytes("GET /health HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"));
        final String answer = readAll(channel);
        assertTrue(answer.contains("\r\nconnection: close\r\n"), answer);
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        channel.finishAndReleaseAll();
    }

    @Test
    void refusesABadRequestAndCloses()
    {
        final AdminCounters counters = new AdminCounters();
        final EmbeddedChannel channel = channel(counters);
        channel.writeInbound(bytes("GET /health HTTP/1.1\r\n\r\n"));
        final String answer = readAll(channel);
        assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
        assertTrue(answer.endsWith("bad request: one Host header required\n"), answer);
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel channel(final AdminCounters counters)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        new AdminConnection(channel, TIMEOUTS, counters, () -> "sluice_test 1\n").install();
        return channel;
    }

    private static ByteBuf bytes(final String text)
    {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String readAll(final EmbeddedChannel channel)
    {
        final StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while (null != (buf = channel.readOutbound()))
        {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }
}
