package io.sluice.dispatch.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;

import static io.sluice.dispatch.shm.WorkerFileDescriptor.AWAKE;
import static io.sluice.dispatch.shm.WorkerFileDescriptor.SLEEPING;

/**
 * The sleeping-flag half of the wake-up protocol (see {@link WorkerFileDescriptor}), for either side.
 * <p>
 * Ordering: a consumer stores its flag with a volatile store (a full fence on x86) and then reads its ring once more
 * (a read that returns nothing but moves the consumer position only skipped end-of-buffer padding: read again);
 * a producer commits its record (a release store), issues a full fence, then reads the flag. Either the consumer sees
 * the record on its last look, or the producer sees the flag and rings the doorbell: no wake-up is lost. The
 * compare-and-set makes exactly one producer ring for one sleep.
 */
public final class WakeProtocol
{
    private WakeProtocol()
    {
    }

    /**
     * Consumer: announce that it may block. Look at the ring once more afterwards.
     *
     * @param header     the file's header.
     * @param flagOffset the consumer's flag.
     */
    public static void arm(final AtomicBuffer header, final int flagOffset)
    {
        header.putIntVolatile(flagOffset, SLEEPING);
    }

    /**
     * Consumer: it found work after arming, or was woken; it is awake.
     *
     * @param header     the file's header.
     * @param flagOffset the consumer's flag.
     */
    public static void disarm(final AtomicBuffer header, final int flagOffset)
    {
        header.putIntRelease(flagOffset, AWAKE);
    }

    /**
     * Producer, after committing: must the consumer be woken? True at most once per sleep.
     *
     * @param header     the file's header.
     * @param flagOffset the consumer's flag.
     * @return true when the caller must ring the doorbell.
     */
    public static boolean shouldWake(final AtomicBuffer header, final int flagOffset)
    {
        VarHandle.fullFence();
        return header.getIntVolatile(flagOffset) == SLEEPING && header.compareAndSetInt(flagOffset, SLEEPING, AWAKE);
    }

    /**
     * Producer, after committing: the first half of {@link #shouldWake}, which claims nothing. False means the consumer
     * is awake, so it sees the record on its own (it looks at its ring once more after it arms): the record owes no
     * wake-up. True means the consumer sleeps: a {@link #shouldWake} check is owed for the record.
     *
     * @param header     the file's header.
     * @param flagOffset the consumer's flag.
     * @return true when the consumer's flag says it sleeps.
     */
    public static boolean isSleeping(final AtomicBuffer header, final int flagOffset)
    {
        VarHandle.fullFence();
        return header.getIntVolatile(flagOffset) == SLEEPING;
    }
}
