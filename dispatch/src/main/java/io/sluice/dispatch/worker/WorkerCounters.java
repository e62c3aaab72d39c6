package io.sluice.dispatch.worker;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * The counters of a shared-memory worker's duty cycle, Agrona {@link AtomicCounter}s in this process's memory:
 * errors its {@link org.agrona.concurrent.AgentRunner} caught, sleeps on the doorbell, and wake-ups it rang for the
 * listener. Written by one thread at a time with release stores (no atomic instruction on the duty cycle); logged when
 * the duty cycle ends.
 */
final class WorkerCounters
{
    private static final int COUNTER_COUNT = 4;

    private final AtomicCounter errors;
    private final AtomicCounter sleeps;
    private final AtomicCounter listenerWakeUps;

    WorkerCounters()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(COUNTER_COUNT * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(COUNTER_COUNT * CountersReader.COUNTER_LENGTH)));
        errors = manager.newCounter("duty cycle errors");
        sleeps = manager.newCounter("doorbell sleeps");
        listenerWakeUps = manager.newCounter("listener wake-ups");
    }

    /**
     * @return errors the duty cycle's runner caught (incremented by the runner).
     */
    AtomicCounter errors()
    {
        return errors;
    }

    /**
     * @return times the duty thread blocked on its doorbell.
     */
    AtomicCounter sleeps()
    {
        return sleeps;
    }

    /**
     * @return bytes written to the doorbell to wake a sleeping listener.
     */
    AtomicCounter listenerWakeUps()
    {
        return listenerWakeUps;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "errors=" + errors.get() + ", sleeps=" + sleeps.get() + ", listenerWakeUps=" + listenerWakeUps.get();
    }
}
