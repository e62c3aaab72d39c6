package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.dispatch.shm.WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET;
import static io.sluice.dispatch.shm.WorkerFileDescriptor.WORKER_SLEEPING_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class WakeProtocolTest
{
    private final UnsafeBuffer header =
        new UnsafeBuffer(ByteBuffer.allocateDirect(WorkerFileDescriptor.HEADER_LENGTH));

    @Test
    void shouldNotWakeWhenNeverArmed()
    {
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
        assertEquals(WorkerFileDescriptor.AWAKE, header.getInt(WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldWakeExactlyOnceWhenArmed()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);

        assertEquals(WorkerFileDescriptor.SLEEPING, header.getInt(WORKER_SLEEPING_OFFSET));
        assertTrue(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
        assertEquals(WorkerFileDescriptor.AWAKE, header.getInt(WORKER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldWakeAgainWhenArmedAgain()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
        assertTrue(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));

        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);

        assertTrue(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldNotWakeWhenDisarmed()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
        WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);

        assertEquals(WorkerFileDescriptor.AWAKE, header.getInt(WORKER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldStayAwakeWhenDisarmedAfterBeingWoken()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
        assertTrue(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));

        WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);

        assertFalse(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldKeepFlagsIndependentWhenBothSidesSleep()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);

        assertFalse(WakeProtocol.shouldWake(header, LISTENER_SLEEPING_OFFSET));
        WakeProtocol.arm(header, LISTENER_SLEEPING_OFFSET);
        assertTrue(WakeProtocol.shouldWake(header, LISTENER_SLEEPING_OFFSET));
        assertFalse(WakeProtocol.shouldWake(header, LISTENER_SLEEPING_OFFSET));
        assertTrue(WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET));
    }

    @Test
    @Timeout(10)
    void shouldWakeExactlyOncePerSleepWhenProducersRace() throws InterruptedException
    {
        final int sleeps = 20_000;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        final int producers = 2;
        final AtomicLong wakes = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread[] threads = new Thread[producers];
        final AtomicBoolean stop = new AtomicBoolean();
        for (int p = 0; p < producers; p++)
        {
            threads[p] = new Thread(() ->
            {
                try
                {
                    while (!stop.get())
                    {
                        if (WakeProtocol.shouldWake(header, WORKER_SLEEPING_OFFSET))
                        {
                            wakes.incrementAndGet();
                        }
                        else
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                catch (final Throwable t)
                {
                    error.compareAndSet(null, t);
                }
            }, "producer-" + p);
            threads[p].setDaemon(true);
            threads[p].start();
        }

        try
        {
            for (int i = 0; i < sleeps && null == error.get() && System.nanoTime() < deadline; i++)
            {
                WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
                int spins = 0;
                while (header.getIntVolatile(WORKER_SLEEPING_OFFSET) == WorkerFileDescriptor.SLEEPING &&
                    System.nanoTime() < deadline)
                {
                    if (++spins > 100)
                    {
                        Thread.yield();
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                }
            }
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        }

        assertNull(error.get());
        assertEquals(sleeps, wakes.get());
    }
}
