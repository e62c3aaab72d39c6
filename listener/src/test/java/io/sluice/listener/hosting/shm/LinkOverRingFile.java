package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostContext;
import io.sluice.listener.queue.HostingMode;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link SharedMemoryLink} driven directly over a real ring file, with no worker and no doorbell: a {@link RingFile}
 * and the worker's ends of its rings, a host whose lanes run on an {@link EmbeddedChannel}'s loop, and, when asked,
 * one request assigned to the link. The set-up the link's tests share; closing it releases the channel and unmaps the
 * file.
 */
final class LinkOverRingFile implements AutoCloseable
{
    /**
     * The worker's end of the request ring: what the link wrote is read here.
     */
    final ManyToOneRingBuffer consumer;

    /**
     * The worker's end of the response ring: what a test writes here, the link reads.
     */
    final ManyToOneRingBuffer responseRing;

    /**
     * The channel whose loop is the host's event loop.
     */
    final EmbeddedChannel loopChannel;

    /**
     * The queue's host.
     */
    final SharedMemoryHost host;

    /**
     * The host's lanes on the channel's loop.
     */
    final LoopLanes lanes;

    /**
     * The link over the ring file.
     */
    final SharedMemoryLink link;

    /**
     * A request on the link, assigned with the link's window, or null when none was asked for.
     */
    final SharedMemoryRequest request;

    private final int capacity;
    private final RingFile rings;

    /**
     * @param tempDir   where the queue's directory is made.
     * @param queueName the queue's name.
     * @param capacity  each ring's capacity in bytes.
     * @param window    the link's and the request's window in bytes.
     * @param slot      the request's slot.
     * @throws IOException when the file cannot be made.
     */
    LinkOverRingFile(final Path tempDir, final String queueName, final int capacity, final int window, final int slot)
        throws IOException
    {
        this(tempDir, queueName, capacity, window, 8, slot);
    }

    /**
     * @param tempDir     where the queue's directory is made.
     * @param queueName   the queue's name.
     * @param capacity    each ring's capacity in bytes.
     * @param window      the link's window in bytes, and the request's.
     * @param queueLength the queue's length: the slots of the host's lanes.
     * @param slot        the slot of a request assigned to the link, or -1 for none ({@link #request} null).
     * @throws IOException when the file cannot be made.
     */
    LinkOverRingFile(
        final Path tempDir,
        final String queueName,
        final int capacity,
        final int window,
        final int queueLength,
        final int slot)
        throws IOException
    {
        this.capacity = capacity;
        rings = new RingFile(tempDir, capacity);
        consumer = rings.requestRing;
        responseRing = rings.responseRing;

        final WorkerConfiguration worker = new WorkerConfiguration(
            List.of(), Map.of(), 1, 30_000, 2, 10, 5_000, WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT,
            WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED, null);
        final QueueConfiguration queue = new QueueConfiguration(
            queueName, List.of("http://+:8080/shm/"), HostingMode.SHARED_MEMORY, "unused.Handler", queueLength,
            capacity, worker);
        host = new SharedMemoryHost(queue, new HostContext(null, () -> null), "/shm/");
        loopChannel = new EmbeddedChannel();
        lanes = host.testLanes(loopChannel.eventLoop());
        link = new SharedMemoryLink(lanes, 0, rings.listenerMapping, window);
        if (slot < 0)
        {
            request = null;
        }
        else
        {
            request = new SharedMemoryRequest(null, slot);
            request.assign(link, false, window);
        }
    }

    /**
     * @return the worker's mapping of the ring file.
     */
    java.nio.MappedByteBuffer workerMapping()
    {
        return rings.workerMapping();
    }

    /**
     * Fill the request ring to its last byte with body chunks of another request, written by the link (the ring's
     * only producer), the worker taking nothing.
     *
     * @param filler the request whose chunks fill the ring.
     */
    void fillRequestRing(final SharedMemoryRequest filler)
    {
        final int smallestRecord = 8 + MessageDescriptor.CHUNK_HEADER_LENGTH;
        int remaining = capacity;
        while (remaining > 0)
        {
            int record = Math.min(remaining, 8 + capacity / 8);
            if (remaining - record > 0 && remaining - record < smallestRecord)
            {
                record -= smallestRecord;
            }
            final ByteBuf chunk = Unpooled.wrappedBuffer(new byte[record - smallestRecord]);
            assertTrue(link.offerBody(filler, chunk, false));
            remaining -= record;
        }
        assertEquals(capacity, consumer.producerPosition());
    }

    /**
     * Release the channel and unmap the file.
     */
    public void close()
    {
        loopChannel.finishAndReleaseAll();
        rings.close();
    }
}
