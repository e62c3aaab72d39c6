package io.sluice.listener.http;

import java.util.concurrent.TimeUnit;

/**
 * The minimum send rate decision for one connection (HTTP.sys {@code MinSendRate}), as a function of samples the
 * connection takes on its timer: no clock, no I/O, so it is tested by feeding it times and counts.
 * <p>
 * A sample says how many response bytes the socket has taken so far, whether the client is <em>stalled</em> (it holds
 * the response back: the listener's outbound buffer is over its high water mark, or the kernel reports the client's
 * receive window closed while it still holds bytes for it), and what the kernel says of its progress: its zero-window
 * probe backoff and how long ago it last sent data. While the client is stalled, a window of {@code grace} is measured
 * from the first stalled sample; at its end, if the client is still stalled and the socket took fewer than
 * {@code minBytesPerSecond} per second over it, the client is too slow. Otherwise a new window starts. A sample that
 * is not stalled ends the measurement, and so does kernel progress since the previous sample (data sent, or a drop of
 * the backoff, which the kernel resets when the client's window opens): the client accepted bytes even though none
 * moved from the listener to the socket (the response sat whole in the kernel's send buffer).
 */
public final class SendRateWindow
{
    /**
     * The client is not stalled: nothing is measured.
     */
    public static final int NOT_STALLED = 0;

    /**
     * The client is stalled and the current window has not run out, or it accepted enough over the last one.
     */
    public static final int MEASURING = 1;

    /**
     * The client accepted less than the minimum rate over a whole window while stalled: close the connection.
     */
    public static final int TOO_SLOW = 2;

    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long minBytesPerSecond;
    private final long graceNs;
    private boolean measuring;
    private long windowStartNs;
    private long windowStartBytes;
    private int lastBackoff;
    private boolean sampled;
    private long lastSampleNs;

    /**
     * @param minBytesPerSecond the minimum send rate; above 0.
     * @param graceNs           the window the rate is measured over; above 0.
     */
    public SendRateWindow(final long minBytesPerSecond, final long graceNs)
    {
        if (minBytesPerSecond <= 0 || graceNs <= 0)
        {
            throw new IllegalArgumentException("minBytesPerSecond and graceNs must be above 0: minBytesPerSecond=" +
                minBytesPerSecond + ", graceNs=" + graceNs);
        }
        this.minBytesPerSecond = minBytesPerSecond;
        this.graceNs = graceNs;
    }

    /**
     * Take one sample.
     *
     * @param nowNs        when, on any monotonic nanosecond clock (the same for every sample).
     * @param takenBytes   response bytes the socket has taken since the connection opened.
     * @param stalled      true when the client holds the response back now.
     * @param probeBackoff the kernel's zero-window probe backoff ({@code tcpi_backoff}), 0 when not known.
     * @param dataSentAgoNs how long ago the kernel last sent a data segment ({@code tcpi_last_data_sent}), or
     *                      {@link Long#MAX_VALUE} when not known.
     * @return {@link #NOT_STALLED}, {@link #MEASURING} or {@link #TOO_SLOW}.
     */
    public int sample(
        final long nowNs,
        final long takenBytes,
        final boolean stalled,
        final int probeBackoff,
        final long dataSentAgoNs)
    {
        final boolean kernelProgress = sampled &&
            (probeBackoff < lastBackoff || dataSentAgoNs < nowNs - lastSampleNs);
        lastBackoff = probeBackoff;
        lastSampleNs = nowNs;
        sampled = true;
        if (!stalled)
        {
            measuring = false;
            return NOT_STALLED;
        }
        if (!measuring || kernelProgress)
        {
            startWindow(nowNs, takenBytes);
            return MEASURING;
        }
        final long elapsedNs = nowNs - windowStartNs;
        if (elapsedNs < graceNs)
        {
            return MEASURING;
        }
        if (isBelowRate(takenBytes - windowStartBytes, elapsedNs))
        {
            measuring = false;
            return TOO_SLOW;
        }
        startWindow(nowNs, takenBytes);
        return MEASURING;
    }

    /**
     * @return true while a window is being measured.
     */
    boolean isMeasuring()
    {
        return measuring;
    }

    /**
     * @return when the current window runs out; meaningful while {@link #isMeasuring()}.
     */
    long windowEndNs()
    {
        return windowStartNs + graceNs;
    }

    /**
     * Forget the measurement (the connection has nothing left to send).
     */
    void reset()
    {
        measuring = false;
        sampled = false;
        lastBackoff = 0;
    }

    /**
     * @param acceptedBytes bytes accepted over a window.
     * @param elapsedNs     the window's length, above 0.
     * @return true when that is slower than the minimum rate.
     */
    boolean isBelowRate(final long acceptedBytes, final long elapsedNs)
    {
        return acceptedBytes * NANOS_PER_SECOND / elapsedNs < minBytesPerSecond;
    }

    private void startWindow(final long nowNs, final long takenBytes)
    {
        measuring = true;
        windowStartNs = nowNs;
        windowStartBytes = takenBytes;
    }
}
