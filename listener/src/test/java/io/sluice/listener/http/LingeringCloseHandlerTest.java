package io.sluice.listener.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LingeringCloseHandler} on a clock the test advances: once in place it shuts the output down and reads on,
 * discards what arrives (bytes, or content the decoder handed on), and closes after the linger time or past
 * {@link LingeringCloseHandler#LINGER_MAX_BYTES}, whichever comes first.
 */
@Timeout(10)
class LingeringCloseHandlerTest
{
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(3);

    private ClockedChannel channel;
    private LingeringCloseHandler linger;

    @BeforeEach
    void setUp()
    {
        channel = new ClockedChannel();
        channel.config().setAutoRead(false);
        linger = new LingeringCloseHandler(channel.clock(), LINGER_NS);
        channel.pipeline().addLast(linger);
    }

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldShutTheOutputDownAndReadOn()
    {
        assertTrue(channel.isOutputShutdown());
        assertFalse(channel.isInputShutdown());
        assertTrue(channel.config().isAutoRead());
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldDiscardWhatArrivesAndCloseOnceTheLingerTimeHasPassed()
    {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[500])));
        assertEquals(1500, linger.discardedBytes());
        assertNull(channel.readInbound(), "nothing is handed on");

        channel.advance(LINGER_NS - 1);
        assertTrue(channel.isOpen());
        channel.advance(1);
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldCloseOnceTooMuchIsDiscarded()
    {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[(int)LingeringCloseHandler.LINGER_MAX_BYTES]));
        assertTrue(channel.isOpen(), "up to the cap is read");
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldLingerForTheDrainTimerOrTheDefaultWhenItIsOff()
    {
        assertEquals(LINGER_NS, LingeringCloseHandler.lingerNs(LINGER_NS));
        assertEquals(LingeringCloseHandler.LINGER_DEFAULT_NS,
            LingeringCloseHandler.lingerNs(HttpConnectionConfig.DISABLED));
    }
}
