package io.sluice.listener.counters;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;

/**
 * A histogram of durations with fixed buckets ({@link #BUCKET_BOUNDS_MS}, then +Inf), kept as one counter per bucket
 * (the values in that bucket alone) and one for the sum in ns. Single writer (one event loop): each record is two plain
 * reads and two ordered writes; allocates nothing.
 */
public final class LatencyHistogram
{
    /**
     * Upper bounds of the buckets but the last (+Inf), in ms.
     */
    public static final long[] BUCKET_BOUNDS_MS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000 };

    /**
     * Number of buckets, +Inf included.
     */
    public static final int BUCKET_COUNT = 13;

    private static final long[] BUCKET_BOUNDS_NS = new long[BUCKET_COUNT - 1];

    static
    {
        for (int i = 0; i < BUCKET_BOUNDS_NS.length; i++)
        {
            BUCKET_BOUNDS_NS[i] = TimeUnit.MILLISECONDS.toNanos(BUCKET_BOUNDS_MS[i]);
        }
    }

    private final AtomicCounter[] buckets;
    private final AtomicCounter sumNs;

    LatencyHistogram(final AtomicCounter[] buckets, final AtomicCounter sumNs)
    {
        this.buckets = buckets;
        this.sumNs = sumNs;
    }

    /**
     * @param durationNs a duration; below 0 counts as 0.
     * @return its bucket, 0 to {@link #BUCKET_COUNT} - 1.
     */
    public static int bucketOf(final long durationNs)
    {
        int i = 0;
        while (i < BUCKET_BOUNDS_NS.length && durationNs > BUCKET_BOUNDS_NS[i])
        {
            i++;
        }
        return i;
    }

    /**
     * Count a duration. Call from the owning event loop only.
     *
     * @param durationNs the duration.
     */
    public void record(final long durationNs)
    {
        final long valueNs = Math.max(0, durationNs);
        buckets[bucketOf(valueNs)].incrementRelease();
        sumNs.getAndAddRelease(valueNs);
    }
}
