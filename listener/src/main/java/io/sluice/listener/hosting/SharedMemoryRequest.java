package io.sluice.listener.hosting;

import io.netty.buffer.ByteBuf;
import io.sluice.listener.http.ServerExchange;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One request slot of a shared-memory queue: preallocated at start-up, one per unit of queue length, reused for
 * every request (no per-request allocation). The request id sent to the worker is the slot index in the low 32 bits
 * and the slot's generation in the high 32 bits, so an answer for an earlier occupant of the slot is recognised and
 * dropped.
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
    final ExpandableArrayBuffer pendingHead = new ExpandableArrayBuffer(256);
    int pendingHeadLength;
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
        if (null != link && null != exchange)
        {
            link.abort(this);
        }
    }

    void release()
    {
        exchange = null;
        link = null;
        headPending = false;
        generation++;
        host.free(this);
    }
}
