package io.sluice.listener;

import io.sluice.listener.http.HttpServerInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An in-process handler that sends from a thread of its own and ignores {@code sendBody}'s false, to a client that
 * reads nothing: the listener holds no more of the response for the connection than its write-buffer high water mark
 * (the rest waits, bounded, on its way from the handler), the handler's thread is made to wait rather than buffer
 * without bound, it is let go when the exchange ends (the client closes, the connection times out, the listener stops),
 * and a client that reads at last gets the whole body intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InProcessFloodTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("minSendRate", 0)
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("flood", FloodingHandler.class))
        .yaml();

    // the same with a send rate a client that takes nothing falls below
    private static final String SEND_RATE_CONFIG = TestConfig.listener()
        .timeout("minSendRate", 150)
        .timeout("minSendRateGrace", "1s")
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("flood", FloodingHandler.class))
        .yaml();

    private static final long LENGTH = 640L * FloodingHandler.CHUNK_LENGTH;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final long WAIT_TIMEOUT_MS = 20_000;
    private static final long SAMPLE_MS = 1_000;
    private static final long RELEASE_TIMEOUT_MS = 10_000;
    private static final long TIMEOUT_RELEASE_MS = 30_000;

    /**
     * What the non-reading connection may hold in the listener's outbound buffer: the high water mark, plus the chunk
     * that crossed it and the head.
     */
    private static final long HELD_BOUND_LENGTH =
        HttpServerInitializer.WRITE_BUFFER_HIGH_WATER_MARK_LENGTH + 2L * FloodingHandler.CHUNK_LENGTH;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("inprocflood", CONFIG).awaitReady(READY_TIMEOUT_MS, "/flood/");

    @Test
    void shouldHoldTheHandlerThreadBackAndDeliverTheWholeBodyOnceTheClientReads() throws Exception
    {
        try (Socket slow = stalledClient())
        {
            final FloodingHandler.Flood flood = awaitWaiting();
            assertHeldWithinBound(flood);

            SlowReaderTest.readAndCheckBody(slow.getInputStream(), LENGTH);
            flood.thread.join(RELEASE_TIMEOUT_MS);
            assertFalse(flood.thread.isAlive(), "the handler thread finished once the client read");
            assertEquals(LENGTH, flood.sentLength);
        }
    }

    @Test
    void shouldLetAWaitingHandlerThreadGoWhenTheClientCloses() throws Exception
    {
        final Socket slow = stalledClient();
        final FloodingHandler.Flood flood;
        try
        {
            flood = awaitWaiting();
            assertHeldWithinBound(flood);
        }
        finally
        {
            slow.close();
        }
        flood.thread.join(RELEASE_TIMEOUT_MS);
        assertFalse(flood.thread.isAlive(), () -> "the handler thread still waits after the client closed: " +
            flood.thread.getState() + " after sending " + flood.sentLength);
        assertEquals(LENGTH, flood.sentLength, "every sendBody after the end returned");

        // and the listener serves the next client
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/flood/", LISTENER.port()));
            assertEquals(200, response.status(), response::toString);
        }
    }

    @Test
    void shouldLetAWaitingHandlerThreadGoWhenTheListenerStops() throws Exception
    {
        final TestListener stopping = TestListener.start("inprocfloodstop", CONFIG);
        final Socket slow;
        final FloodingHandler.Flood flood;
        try
        {
            assertNotNull(stopping.awaitOk("/flood/", READY_TIMEOUT_MS), "no response from /flood/");
            slow = stalledClient(stopping.port());
            flood = awaitWaiting();
        }
        finally
        {
            stopping.close();
        }
        try
        {
            flood.thread.join(RELEASE_TIMEOUT_MS);
            assertFalse(flood.thread.isAlive(), () -> "the handler thread still waits after the listener stopped: " +
                flood.thread.getState() + " after sending " + flood.sentLength);
            assertEquals(LENGTH, flood.sentLength, "every sendBody after the end returned");
        }
        finally
        {
            slow.close();
        }
    }

    @Test
    void shouldLetAWaitingHandlerThreadGoWhenTheConnectionTimesOut() throws Exception
    {
        final TestListener timing = TestListener.start("inprocfloodrate", SEND_RATE_CONFIG);
        try
        {
            assertNotNull(timing.awaitOk("/flood/", READY_TIMEOUT_MS), "no response from /flood/");
            final Socket slow = stalledClient(timing.port());
            try
            {
                final FloodingHandler.Flood flood = awaitWaiting();
                // the client takes nothing: the listener gives up on the connection once minSendRate's grace is over
                flood.thread.join(TIMEOUT_RELEASE_MS);
                assertFalse(flood.thread.isAlive(), () -> "the handler thread still waits after the connection " +
                    "timed out: " + flood.thread.getState() + " after sending " + flood.sentLength);
                assertEquals(LENGTH, flood.sentLength, "every sendBody after the end returned");
            }
            finally
            {
                slow.close();
            }
        }
        finally
        {
            timing.close();
        }
    }

    private static Socket stalledClient() throws Exception
    {
        return stalledClient(LISTENER.port());
    }

    private static Socket stalledClient(final int listenerPort) throws Exception
    {
        final FloodingHandler.Flood before = FloodingHandler.latest();
        final Socket slow = new Socket();
        // a tiny receive window, so the client's kernel takes almost nothing off the listener's hands
        slow.setReceiveBufferSize(4096);
        slow.setSoTimeout(READ_TIMEOUT_MS);
        slow.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, listenerPort), CONNECT_TIMEOUT_MS);
        slow.getOutputStream().write(RawHttpClient.get("/flood/bytes?n=" + LENGTH, listenerPort));
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_TIMEOUT_MS);
        while (FloodingHandler.latest() == before)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                slow.close();
                fail("the handler never got the request");
            }
            Thread.sleep(5);
        }
        return slow;
    }

    /**
     * The sending thread ignores every false: it must end up parked, waiting for the connection, before it sent all.
     */
    private static FloodingHandler.Flood awaitWaiting() throws InterruptedException
    {
        final FloodingHandler.Flood flood = FloodingHandler.latest();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_TIMEOUT_MS);
        while (!isParked(flood.thread))
        {
            if (!flood.thread.isAlive() || System.nanoTime() - deadlineNs > 0)
            {
                fail("the handler thread never waited: " + flood.thread.getState() + " after sending " +
                    flood.sentLength + " of " + LENGTH + " (" + flood.refusals.get() + " refusals); the listener" +
                    " holds " + heldLength());
            }
            Thread.sleep(5);
        }
        assertTrue(flood.refusals.get() > 0, "sendBody answered false before the thread had to wait");
        return flood;
    }

    private static void assertHeldWithinBound(final FloodingHandler.Flood flood) throws InterruptedException
    {
        long mostHeld = 0;
        final long sampleEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS);
        while (System.nanoTime() - sampleEndNs < 0)
        {
            mostHeld = Math.max(mostHeld, heldLength());
            Thread.sleep(5);
        }
        assertTrue(mostHeld <= HELD_BOUND_LENGTH,
            "the non-reading client made the listener hold " + mostHeld + " bytes, bound " + HELD_BOUND_LENGTH);
        assertTrue(staysParked(flood.thread), () -> "the handler thread still waits: " + flood.thread.getState());
        assertTrue(flood.sentLength < LENGTH, () -> "the handler thread sent it all: " + flood.sentLength);
    }

    private static long heldLength()
    {
        return LISTENER.listener().connections().outboundBytes().largestLength();
    }

    /**
     * A handler thread waiting for room is parked on its send bound; it wakes every
     * {@code SendBound.STOPPED_CHECK_NS} to look whether its event loop stopped, so it is WAITING or TIMED_WAITING.
     */
    private static boolean isParked(final Thread thread)
    {
        final Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /**
     * @return true when the thread is parked at one of a few looks a millisecond apart (its periodic look at its
     * event loop makes it runnable for an instant).
     */
    private static boolean staysParked(final Thread thread) throws InterruptedException
    {
        for (int look = 0; look < 20; look++)
        {
            if (isParked(thread))
            {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }
}
