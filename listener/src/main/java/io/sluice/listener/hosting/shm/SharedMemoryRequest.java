package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.sluice.listener.http.ServerExchange;
import io.sluice.listener.queue.RequestSink;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One request slot of a shared-memory queue: preallocated at start-up, one per unit of queue length, reused for
 * every request (no per-request allocation). The request id sent to the worker is the slot index in the low 32 bits
 * and the slot's generation in the high 32 bits, so an answer for an earlier occupant of the slot is recognised and
 * dropped.
 * <p>
 * While in flight a slot is linked into its host's in-flight list, oldest first ({@link #previous}, {@link #next}),
 * which the host's timer walks for {@code requestTimeout}.
 * <p>
 * {@link #pendingHead} holds the encoded head while the ring is full ({@link #headPending}), and, for a request that
 * may be retried (GET, HEAD or OPTIONS without a body: {@link #retainedHead}), for the whole life of the request, so it
 * can be written again into the ring if the worker dies before answering.
 * <p>
 * {@link #credit} accounts the response's flow control; {@link #creditQueued} says the slot waits in its link's queue
 * of grants that found the request ring full.
 */
final class SharedMemoryRequest implements RequestSink
{
    final int index;
    final UnsafeBuffer bodyView = new UnsafeBuffer(0, 0);
    int generation;
    ServerExchange exchange;
    SharedMemoryLink link;
    long headPosition;
    boolean headPending;
    boolean retainedHead;
    boolean retried;
    boolean answering;
    long startMs;
    SharedMemoryRequest previous;
    SharedMemoryRequest next;
    final ExpandableArrayBuffer pendingHead = new ExpandableArrayBuffer(256);
    int pendingHeadLength;
    final ResponseCredit credit = new ResponseCredit();
    boolean creditQueued;
    private final SharedMemoryHost host;

    SharedMemoryRequest(final SharedMemoryHost host, final int index)
    {
        this.host = host;
        this.index = index;
    }

    long requestId()
    {
        return ((long)generation << 32) | index;
    }

    static int slotIndex(final long requestId)
    {
        return (int)requestId;
    }

    static int generation(final long requestId)
    {
        return (int)(requestId >>> 32);
    }

    /**
     * {@inheritDoc}
     */
    public boolean body(final ByteBuf content, final boolean last)
    {
        final SharedMemoryLink link = this.link;
        if (null == link || null == exchange)
        {
            return true;
        }
        return link.offerBody(this, content, last);
    }

    /**
     * {@inheritDoc}
     */
    public void abort()
    {
        final SharedMemoryLink link = this.link;
        if (null != link && null != exchange && !answering)
        {
            link.abort(this);
        }
    }

    void release()
    {
        if (creditQueued)
        {
            creditQueued = false;
            if (null != link)
            {
                link.dropPendingCredit(this);
            }
        }
        if (null != host)
        {
            host.responseBytesDone(credit.settle());
        }
        exchange = null;
        link = null;
        headPending = false;
        retainedHead = false;
        retried = false;
        answering = false;
        generation++;
        if (null != host)
        {
            host.free(this);
        }
    }
}
