package io.sluice.dispatch.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * One side's end of a worker's doorbell, the Unix socket in the worker's directory: the token a worker presents first
 * on it, the wake-up protocol over the two sleeping flags in the worker file's header ({@link WakeProtocol}), and the
 * one byte written to wake the other side. The listener and the worker each hold one, for their own flag.
 * <p>
 * A consumer that runs out of work {@link #arm() arms} its flag and looks at its ring once more before it blocks on
 * the socket; a producer that committed a record asks {@link #shouldWake()} and, when told so, writes
 * {@link #wakeByte()} to the socket. Either the consumer sees the record on its last look, or the producer sees the
 * flag: no wake-up is lost, and one sleep costs one system call.
 * <p>
 * Threading: {@link #wakeByte()} is one buffer; a side that wakes the other from two threads serialises the writes.
 */
public final class Doorbell
{
    private final AtomicBuffer header;
    private final int ownFlagOffset;
    private final int peerFlagOffset;
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);

    private Doorbell(final AtomicBuffer header, final int ownFlagOffset, final int peerFlagOffset)
    {
        this.header = header;
        this.ownFlagOffset = ownFlagOffset;
        this.peerFlagOffset = peerFlagOffset;
    }

    /**
     * @param header the worker file's header.
     * @return the listener's end: it sleeps on the response ring and wakes the worker.
     */
    public static Doorbell listenerSide(final AtomicBuffer header)
    {
        return new Doorbell(
            header, WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET, WorkerFileDescriptor.WORKER_SLEEPING_OFFSET);
    }

    /**
     * @param header the worker file's header.
     * @return the worker's end: it sleeps on the request ring and wakes the listener.
     */
    public static Doorbell workerSide(final AtomicBuffer header)
    {
        return new Doorbell(
            header, WorkerFileDescriptor.WORKER_SLEEPING_OFFSET, WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET);
    }

    /**
     * Consumer: announce that this side may block. Look at the ring once more afterwards.
     */
    public void arm()
    {
        WakeProtocol.arm(header, ownFlagOffset);
    }

    /**
     * Consumer: this side found work after arming, or was woken; it is awake.
     */
    public void disarm()
    {
        WakeProtocol.disarm(header, ownFlagOffset);
    }

    /**
     * Producer, after committing: must the other side be woken? True at most once per sleep.
     *
     * @return true when the caller must write {@link #wakeByte()} to the socket.
     */
    public boolean shouldWake()
    {
        return WakeProtocol.shouldWake(header, peerFlagOffset);
    }

    /**
     * Producer, after committing: does the record owe the other side a wake-up? A full fence, then a read of its flag
     * ({@link WakeProtocol#isSleeping}); claims nothing. False: the other side is awake and sees the record before it
     * sleeps. True: a {@link #shouldWake()} check is owed for the record.
     *
     * @return true when the other side's flag says it sleeps.
     */
    public boolean isPeerSleepingAfterCommit()
    {
        return WakeProtocol.isSleeping(header, peerFlagOffset);
    }

    /**
     * @return true while the other side's flag says it sleeps.
     */
    public boolean isPeerSleeping()
    {
        return header.getIntVolatile(peerFlagOffset) == WorkerFileDescriptor.SLEEPING;
    }

    /**
     * The worker is gone: both sides count as awake, so its replacement starts from a clean header.
     */
    public void reset()
    {
        header.putIntVolatile(WorkerFileDescriptor.WORKER_SLEEPING_OFFSET, WorkerFileDescriptor.AWAKE);
        header.putIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET, WorkerFileDescriptor.AWAKE);
    }

    /**
     * @return the one byte that wakes the other side, ready to be written (direct: no copy on the way out).
     */
    public ByteBuffer wakeByte()
    {
        return wakeByte.clear();
    }

    /**
     * Worker: present the token, the first bytes on a doorbell connection.
     *
     * @param channel the doorbell connection.
     * @param token   the worker's token ({@code SLUICE_TOKEN}).
     * @throws IOException when the token is not {@link WorkerFileDescriptor#TOKEN_LENGTH} characters, or cannot be
     *                     written.
     */
    public static void presentToken(final WritableByteChannel channel, final String token) throws IOException
    {
        final byte[] bytes = token.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != WorkerFileDescriptor.TOKEN_LENGTH)
        {
            throw new IOException("SLUICE_TOKEN must be " + WorkerFileDescriptor.TOKEN_LENGTH + " characters");
        }
        final ByteBuffer hello = ByteBuffer.wrap(bytes);
        while (hello.hasRemaining())
        {
            channel.write(hello);
        }
    }

    /**
     * Listener: is what a connection presented the token expected? Compared in constant time.
     *
     * @param presented the first {@link WorkerFileDescriptor#TOKEN_LENGTH} bytes read.
     * @param expected  the token of the worker's current start, or null when none is expected.
     * @return true when they are equal.
     */
    public static boolean isToken(final byte[] presented, final String expected)
    {
        return null != expected && MessageDigest.isEqual(presented, expected.getBytes(StandardCharsets.US_ASCII));
    }
}
