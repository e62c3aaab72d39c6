package io.sluice.dispatch.worker;

import org.agrona.ExpandableArrayBuffer;

/**
 * The buffers that hold a response's body while it waits for credit ({@link SharedMemoryExchange}'s backlog), kept
 * for the next response that outruns its window: a large streamed answer then neither allocates its backlog anew nor
 * copies it over and over as it grows. Bounded: at most {@link #MAX_POOLED} buffers of at most
 * {@link #MAX_RETAINED_CAPACITY} bytes each are kept (so a worker holds at most 16 MiB here); a larger one is left to
 * the collector. Thread-safe: taken and given under the exchange's monitor, from the handler's thread or the duty
 * thread, once per response that outruns its window (not per chunk).
 */
final class BacklogPool
{
    /**
     * Most buffers kept.
     */
    static final int MAX_POOLED = 8;

    /**
     * Largest buffer kept: {@value} bytes (2 MiB).
     */
    static final int MAX_RETAINED_CAPACITY = 2 * 1024 * 1024;

    private final ExpandableArrayBuffer[] pool = new ExpandableArrayBuffer[MAX_POOLED];
    private int pooled;

    /**
     * @param capacity the least capacity wanted.
     * @return a buffer kept from an earlier response, or a new one.
     */
    synchronized ExpandableArrayBuffer take(final int capacity)
    {
        if (pooled > 0)
        {
            final ExpandableArrayBuffer buffer = pool[--pooled];
            pool[pooled] = null;
            return buffer;
        }
        return new ExpandableArrayBuffer(capacity);
    }

    /**
     * @param buffer no longer used by the response that took it; kept if there is room and it is not too large.
     */
    synchronized void give(final ExpandableArrayBuffer buffer)
    {
        if (pooled < MAX_POOLED && buffer.capacity() <= MAX_RETAINED_CAPACITY)
        {
            pool[pooled++] = buffer;
        }
    }

    /**
     * @return the number of buffers kept (for tests).
     */
    synchronized int pooled()
    {
        return pooled;
    }
}
