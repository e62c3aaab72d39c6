package io.sluice.listener.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MinSendRateHandler} on a clock the test advances, with a client that holds the response back (the channel
 * made unwritable) or takes it (the test reads what was written): a client that accepts too little over a whole window
 * is told {@link MinSendRateHandler#TOO_SLOW} and the connection closed; one that accepts enough, or that the
 * connection is not waiting on, keeps it; sampling stops once everything has been taken, and none starts once the
 * connection is closing.
 */
@Timeout(10)
class MinSendRateHandlerTest
{
    private static final long MIN_BYTES_PER_SECOND = 1000;
    private static final long GRACE_NS = TimeUnit.SECONDS.toNanos(4);
    private static final long SAMPLE_NS = GRACE_NS / MinSendRateHandler.SAMPLES_PER_WINDOW;

    private final List<Object> events = new ArrayList<>();
    private ClockedChannel channel;
    private MinSendRateHandler sendRate;

    @BeforeEach
    void setUp()
    {
        channel = new ClockedChannel();
        sendRate = new MinSendRateHandler(MIN_BYTES_PER_SECOND, GRACE_NS, channel.clock());
        channel.pipeline().addLast(sendRate, new ChannelInboundHandlerAdapter()
        {
            public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
            {
                events.add(evt);
            }
        });
    }

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAClientThatTakesNothingOfAHeldBackResponseForAWholeWindow()
    {
        channel.write(Unpooled.wrappedBuffer(new byte[10_000]));
        clientReads(false);
        assertTrue(sendRate.isSampling());

        // the first stalled sample starts the window; it runs out one whole grace period later
        channel.advance(SAMPLE_NS);
        for (int i = 0; i < MinSendRateHandler.SAMPLES_PER_WINDOW - 1; i++)
        {
            channel.advance(SAMPLE_NS);
            assertTrue(channel.isOpen(), "within the window: sample " + i);
        }
        channel.advance(SAMPLE_NS);

        assertEquals(List.of(MinSendRateHandler.TOO_SLOW), events);
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldKeepAClientThatTakesEnoughWhileHoldingBack()
    {
        clientReads(false);
        for (int i = 0; i < 4 * MinSendRateHandler.SAMPLES_PER_WINDOW; i++)
        {
            // written and taken by the socket: MIN_BYTES_PER_SECOND over each sample's quarter window, and some
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[(int)(MIN_BYTES_PER_SECOND * 2)]));
            channel.takeOutbound();
            channel.advance(SAMPLE_NS);
        }

        assertEquals(List.of(), events);
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldStopSamplingOnceEverythingWasTakenAndStartAgainWithTheNextWrite()
    {
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[1000]));
        channel.takeOutbound();
        assertTrue(sendRate.isSampling());

        for (long elapsedNs = 0; elapsedNs < MinSendRateHandler.IDLE_CONFIRM_NS + 2 * SAMPLE_NS; elapsedNs += SAMPLE_NS)
        {
            channel.advance(SAMPLE_NS);
        }
        assertFalse(sendRate.isSampling());

        channel.write(Unpooled.wrappedBuffer(new byte[1]));
        assertTrue(sendRate.isSampling());
    }

    @Test
    void shouldGoOnWithSamplingUnderWayOnceTheConnectionIsClosing()
    {
        channel.write(Unpooled.wrappedBuffer(new byte[1000]));
        sendRate.connectionClosing();
        channel.advance(SAMPLE_NS);
        assertTrue(sendRate.isSampling(), "the response that ends the connection is guarded too");
    }

    @Test
    void shouldStartNoSamplingOnceTheConnectionIsClosing()
    {
        sendRate.connectionClosing();
        channel.write(Unpooled.wrappedBuffer(new byte[1000]));
        assertFalse(sendRate.isSampling());
    }

    @Test
    void shouldStartSamplingWhenTheConnectionStopsBeingWritable()
    {
        clientReads(false);
        assertTrue(sendRate.isSampling());
    }

    @Test
    void shouldBeOffWhenTheMinimumRateIsDisabled()
    {
        assertNull(MinSendRateHandler.newInstance(
            new HttpConnectionConfig().minSendRate(HttpConnectionConfig.DISABLED), channel.clock()));
    }

    private void clientReads(final boolean reads)
    {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, reads);
        // Netty announces a change of user-defined writability from a task
        channel.runPendingTasks();
    }
}
