package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.listener.hosting.InFlightList;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.RequestSink;
import org.agrona.concurrent.UnsafeBuffer;
import java.nio.ByteBuffer;

/**
 * One request slot of a shared-memory queue: preallocated at start-up, one per unit of queue length, reused for
 * every request (no per-request allocation). The request id sent to the worker is the slot index in the low 32 bits
 * and the slot's generation in the high 32 bits, so an answer for an earlier occupant of the slot is recognised and
 * dropped.
 * <p>
 * While in flight a slot is listed in its host's {@link InFlightList}, oldest first, which the host's timer walks for
 * {@code requestTimeout}.
 * <p>
 * The pending head holds the encoded head while the ring is full ({@link #isHeadPending()}), and, for a request whose
 * body may go inline with the head, until the body comes ({@link #isBodyAwaited()}). A request that may be
 * retried (GET, HEAD or OPTIONS without a body: {@link #isHeadRetained()}) keeps its decoded head and admission time
 * for the whole life of the request instead of a copy of the encoded bytes, so its head can be encoded again into the
 * pending head and written into the ring if the worker dies before answering; nothing is copied per request.
 * <p>
 * {@link #credit} accounts the response's flow control; {@link #isGrantQueued()} says the slot waits in its link's
 * queue of grants that found the request ring full.
 * <p>
 * The slot's state changes only through the methods named for what happened to the request: {@link #begin},
 * {@link #assign}, {@link #awaitBody()}, {@link #headQueued()}, {@link #headCommitted}, {@link #retryHead}, {@link #answeredByListener()},
 * {@link #grantQueued()}, {@link #grantWritten()} and {@link #release()}. Threading: confined to the host's event loop.
 */
final class SharedMemoryRequest extends InFlightList.Entry implements RequestSink
{
    private static final int PENDING_HEAD_INITIAL_LENGTH = 256;

    final int index;
    final ResponseCredit credit = new ResponseCredit();
    final TunnelCredit tunnel = new TunnelCredit();
    private final UnsafeBuffer pendingHead = new UnsafeBuffer(ByteBuffer.allocateDirect(PENDING_HEAD_INITIAL_LENGTH));
    private final LoopLanes host;
    private int generation;
    private ClientExchange exchange;
    private SharedMemoryLink link;
    private HttpRequest retainedRequest;
    private long admittedAtNs;
    private long headPosition;
    private int pendingHeadLength;
    private boolean headPending;
    private boolean bodyAwaited;
    private boolean retainedHead;
    private boolean retried;
    private boolean answering;
    private boolean creditQueued;
    private boolean bodyBlocked;

    SharedMemoryRequest(final LoopLanes host, final int index)
    {
        this.host = host;
        this.index = index;
    }

    /**
     * @return the id the worker knows this request by: generation high, slot index low.
     */
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
     * @return how many requests this slot has held before the current one.
     */
    int generation()
    {
        return generation;
    }

    /**
     * @return the request's exchange, or null while the slot is free.
     */
    ClientExchange exchange()
    {
        return exchange;
    }

    /**
     * @return the link of the worker the request was sent to, or null before it was.
     */
    SharedMemoryLink link()
    {
        return link;
    }

    /**
     * @return the request ring position just past the request's head record, once committed.
     */
    long headPosition()
    {
        return headPosition;
    }

    /**
     * @return true while the head waits in {@link #pendingHead()} for room in the request ring.
     */
    boolean isHeadPending()
    {
        return headPending;
    }

    /**
     * @return true while the head waits in {@link #pendingHead()} for the body to go inline with it: nothing of the
     * request is in the ring yet.
     */
    boolean isBodyAwaited()
    {
        return bodyAwaited;
    }

    /**
     * @return true when the head is kept for the whole request, to be written again if the worker dies.
     */
    boolean isHeadRetained()
    {
        return retainedHead;
    }

    /**
     * @return true when the request may still be written into the ring again after its worker died: its head is
     * retained and it has not been retried yet.
     */
    boolean mayRetry()
    {
        return retainedHead && !retried;
    }

    /**
     * @return true once the listener answers the request in the worker's place.
     */
    boolean isAnsweredByListener()
    {
        return answering;
    }

    /**
     * @return true while a credit grant for the request waits for room in the request ring.
     */
    boolean isGrantQueued()
    {
        return creditQueued;
    }

    /**
     * @return the head kept while the ring is full, or for a retry. An {@link UnsafeBuffer} over native memory, like
     * the request ring's buffer: the head encoder and the copies between the two see one buffer class and one kind of
     * memory, so the compiled code of the request path stays valid whether a head goes into the ring or waits here. A
     * second class, or a heap array under the same class (the JIT speculates that the array of a buffer only ever seen
     * over native memory is null), met only once bodies go inline after hello-only traffic, deoptimized the head
     * encoder and the Agrona accessors inlined into it.
     */
    UnsafeBuffer pendingHead()
    {
        return pendingHead;
    }

    /**
     * @return the length of the head in {@link #pendingHead()}.
     */
    int pendingHeadLength()
    {
        return pendingHeadLength;
    }

    /**
     * The slot was taken for a request.
     *
     * @param exchange the request's exchange.
     */
    void begin(final ClientExchange exchange)
    {
        this.exchange = exchange;
    }

    /**
     * The request goes to a worker's link.
     *
     * @param link           the worker's link.
     * @param retainHead     true when the head is kept to be written again if the worker dies.
     * @param responseWindow the response body a worker may send ahead of the listener's credit.
     */
    void assign(final SharedMemoryLink link, final boolean retainHead, final int responseWindow)
    {
        this.link = link;
        link.requestAssigned();
        this.retainedHead = retainHead;
        credit.reset(responseWindow);
        tunnel.reset();
    }

    /**
     * The head is encoded into {@link #pendingHead()} rather than the ring, which has no room for it.
     *
     * @param length of the head.
     * @return the buffer to encode it into, long enough.
     */
    UnsafeBuffer holdHead(final int length)
    {
        if (pendingHead.capacity() < length)
        {
            pendingHead.wrap(ByteBuffer.allocateDirect(Math.max(length, pendingHead.capacity() * 2)));
        }
        pendingHeadLength = length;
        return pendingHead;
    }

    /**
     * The head was encoded: keep what it was encoded from when it is retained, in case the worker dies before
     * answering; then it is encoded again ({@link RequestRingPublisher#requeueHead}) and goes into the ring again.
     *
     * @param httpRequest  the decoded head, not changed after it was handed to the queue.
     * @param admittedAtNs the admission time written into the head.
     */
    void retainHead(final HttpRequest httpRequest, final long admittedAtNs)
    {
        if (retainedHead)
        {
            retainedRequest = httpRequest;
            this.admittedAtNs = admittedAtNs;
        }
    }

    /**
     * @return the decoded head kept for a retry, or null when the head is not retained.
     */
    HttpRequest retainedRequest()
    {
        return retainedRequest;
    }

    /**
     * @return the admission time of the retained head ({@link System#nanoTime()}).
     */
    long admittedAtNs()
    {
        return admittedAtNs;
    }

    /**
     * The head was encoded into {@link #pendingHead()} ({@link #holdHead}) to wait for the body, which may go inline
     * with it when it comes whole.
     */
    void awaitBody()
    {
        bodyAwaited = true;
    }

    /**
     * The head waits in its link's queue for room in the request ring.
     */
    void headQueued()
    {
        headPending = true;
        bodyAwaited = false;
    }

    /**
     * The head was committed to the request ring.
     *
     * @param position the ring position just past its record.
     */
    void headCommitted(final long position)
    {
        headPosition = position;
        headPending = false;
        bodyAwaited = false;
    }

    /**
     * The worker died before answering: the request is written into the ring again, once. Its response accounting
     * starts over.
     *
     * @param responseWindow the response body a worker may send ahead of the listener's credit.
     * @return the response bytes that stopped being outstanding.
     */
    long retryHead(final int responseWindow)
    {
        retried = true;
        final long settled = credit.settle();
        credit.reset(responseWindow);
        tunnel.reset();
        headPending = true;
        return settled;
    }

    /**
     * The listener answers the request in the worker's place: the exchange's abort of its sink must not write an
     * abort for the worker.
     */
    void answeredByListener()
    {
        answering = true;
    }

    /**
     * @return true while a body piece the request ring had no room for waits in its link's queue, to be offered again
     * once the worker took records ({@link RequestRingPublisher#resumeBlockedBodies()}).
     */
    boolean isBodyBlocked()
    {
        return bodyBlocked;
    }

    /**
     * @param blocked whether a body piece waits in its link's queue for room.
     */
    void bodyBlocked(final boolean blocked)
    {
        bodyBlocked = blocked;
    }

    /**
     * A credit grant found the request ring full and waits in its link's queue.
     */
    void grantQueued()
    {
        creditQueued = true;
    }

    /**
     * The queued grant was written, or dropped.
     */
    void grantWritten()
    {
        creditQueued = false;
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
     * <p>
     * Here: a tunnel's client bytes refused for want of {@link TunnelCredit} are offered again when the worker's grant
     * arrives; a body piece refused for want of room in the request ring, once the worker has taken records (seen when
     * its answers are read, or on the link's retry timer), not on a timer of each connection.
     */
    public boolean resumesBody()
    {
        return tunnel.isOpen() || bodyBlocked;
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

    /**
     * The request ended: settle its response accounting and free the slot for its next generation.
     */
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
        if (bodyBlocked)
        {
            bodyBlocked = false;
            if (null != link)
            {
                link.dropBlockedBody(this);
            }
        }
        if (null != host)
        {
            host.responseBytes().done(credit.settle());
        }
        if (null != link)
        {
            link.requestEnded();
        }
        exchange = null;
        link = null;
        retainedRequest = null;
        headPending = false;
        bodyAwaited = false;
        retainedHead = false;
        retried = false;
        answering = false;
        generation++;
        if (null != host)
        {
            host.free(this);
        }
    }

    /**
     * For tests: the slot as it is after {@code generation} requests.
     *
     * @param generation the slot's generation.
     */
    void reuseAs(final int generation)
    {
        this.generation = generation;
    }
}
