package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import io.sluice.dispatch.shm.WakeProtocol;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.dispatch.worker.HandlerInvoker;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The listener's end of one worker's rings: encodes requests straight into the request ring, drains the response
 * ring into the connections, and keeps the wake-up protocol with the worker.
 * <p>
 * Threading: confined to the host's event loop, which also owns the doorbell channel. (The rings allow many
 * producers; the listener currently serves shared-memory queues from one event loop.)
 * <p>
 * A full request ring is back-pressure: a head that does not fit waits in a slot-owned buffer, and a body chunk is
 * refused so the connection stops reading and offers it again.
 * <p>
 * Delivery when the worker dies ({@link #workerExited()}): the worker takes a request head off the ring before it
 * starts work on it, so the ring's consumer position tells exactly which requests it may have started. Those whose
 * head record lies below it are answered 502, except that a GET, HEAD or OPTIONS without a body whose response has not
 * begun is written into the ring again, once; the records above it stay in the ring for the replacement worker.
 * <p>
 * Liveness ({@link #heartbeat}): the host's timer stores the listener heartbeat and reports a worker as hung when it is
 * awake, has requests waiting in its ring, and its heartbeat has not moved for the heartbeat timeout.
 * <p>
 * Flow control: a worker may send each response's body at most its window ahead of what the client's socket has
 * taken ({@link ResponseCredit}). Once half a window of a response is outstanding, the link asks the exchange to tell
 * it when those bytes are flushed to the socket, and then grants them back in one {@code RESPONSE_CREDIT} message
 * (queued, merged, while the request ring is full). The notice allocates nothing: the link is one
 * {@link FlushListener} for all its requests, told with the request's id (so a late notice for a slot that has moved on
 * is ignored), and the connection reuses one marker message behind the bytes. So a slow client holds at most its
 * window here, and the response ring is drained without ever waiting for a client. A worker that sends past its
 * credit is failed ({@link #failWorker(String)}).
 * <p>
 * Trust: nothing read from the response ring is used before it is checked. Every length (record, header count and
 * entries, inline body, chunk) must lie within the record that holds it; a record that breaks the layout, or the
 * protocol (an unknown message type, a body before its head, a body past its credit), fails the worker
 * ({@link #failWorker(String)}). A response that is well formed but not valid HTTP (a status that is not final, a
 * header name that is not a token, a value with CR, LF or NUL) is answered 502 in the worker's place, and the worker
 * keeps serving. A request's slot is freed only once its answer path has run, so a throw midway leaves it in flight,
 * to be settled, never orphaned. Nor is anything of the rings' trailers trusted: the listener claims room in the
 * request ring from its own copy of the tail and of the head it last accepted ({@link RequestRingProducer}), checks
 * before each claim and on the timer that the worker has written neither the tail nor the head cache and only a
 * plausible head, and fails the worker otherwise; it keeps its own copy of the response ring's head.
 */
final class SharedMemoryLink
{
    private static final Logger LOG = Logger.getLogger(SharedMemoryLink.class.getName());
    private static final int DRAIN_LIMIT = 256;
    private static final long PENDING_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int SETTLED_FAILED = 0;
    private static final int SETTLED_RETRIED = 1;
    private static final int SETTLED_LEFT = 2;

    final int slot;
    private final SharedMemoryHost host;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final UnsafeBuffer responseRingBuffer;
    private final int requestCapacity;
    private final int requestHeadPositionIndex;
    private final int maxRequestChunk;
    private final int responseCapacity;
    private final int responseHeadPositionIndex;
    private final PublishedRecords publishedRecords;
    private final RequestRingProducer requestProducer;
    private final RequestHeadEncoder headEncoder = new RequestHeadEncoder();
    private final ResponseHeadDecoder responseDecoder = new ResponseHeadDecoder();
    private final HeaderCursor headerCursor = new HeaderCursor();
    private final UnsafeBuffer contentView = new UnsafeBuffer(0, 0);
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private final ArrayDeque<SharedMemoryRequest> pendingHeads = new ArrayDeque<>();
    private final ArrayDeque<SharedMemoryRequest> pendingCredits = new ArrayDeque<>();
    private final int responseWindow;
    private final Runnable retryPending = this::retryPending;
    private final FlushListener flushListener = this::onFlushed;
    private final Runnable drainTask = this::drain;
    private final Runnable wakeTask = this::wakeWorkerNow;
    private boolean wakeScheduled;
    private volatile Channel doorbell;
    private volatile String expectedToken;
    private boolean retryScheduled;
    private boolean closed;
    private final WorkerLiveness liveness = new WorkerLiveness();
    private volatile long ringRepairs;
    private boolean failed;
    private String attachedToken;
    private String usedToken;
    private long responseHead;

    SharedMemoryLink(final SharedMemoryHost host, final int slot, final MappedByteBuffer mapped)
    {
        this(host, slot, mapped, MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
    }

    SharedMemoryLink(
        final SharedMemoryHost host, final int slot, final MappedByteBuffer mapped, final int responseWindow)
    {
        this.host = host;
        this.responseWindow = responseWindow;
        this.slot = slot;
        this.mapped = mapped;
        this.header = WorkerFileDescriptor.headerBuffer(mapped);
        final UnsafeBuffer requestRingBuffer = WorkerFileDescriptor.requestRingBuffer(mapped);
        this.responseRingBuffer = WorkerFileDescriptor.responseRingBuffer(mapped);
        this.requestRing = new ManyToOneRingBuffer(requestRingBuffer);
        this.responseRing = new ManyToOneRingBuffer(responseRingBuffer);
        this.requestCapacity = requestRing.capacity();
        this.requestHeadPositionIndex = requestCapacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.maxRequestChunk = requestRing.maxMsgLength() - MessageDescriptor.CHUNK_HEADER_LENGTH;
        this.responseCapacity = responseRing.capacity();
        this.responseHeadPositionIndex = responseCapacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.publishedRecords = new PublishedRecords(requestCapacity, requestRing.producerPosition());
        this.requestProducer = new RequestRingProducer(requestRingBuffer, publishedRecords);
        this.responseHead = responseRing.consumerPosition();
    }

    MappedByteBuffer mapped()
    {
        return mapped;
    }

    boolean isAttached()
    {
        return null != doorbell;
    }

    void expectToken(final String token)
    {
        expectedToken = token;
    }

    String expectedToken()
    {
        return expectedToken;
    }

    /**
     * A token is good for one attach: while a worker is attached, or once its start's token was used, no connection
     * attaches (a new start gets a new token). On the home event loop.
     *
     * @param token the expected token, which the connection presented.
     * @return true when a connection presenting it may attach.
     */
    boolean admitsToken(final String token)
    {
        return null == doorbell && null != token && !token.equals(usedToken);
    }

    /**
     * The worker presented its token on the doorbell channel, for the first time in this start
     * ({@link #admitsToken(String)}): the per-start state (failed, kill requested) begins here.
     *
     * @param channel the doorbell channel; its event loop drains the response ring.
     */
    void attach(final Channel channel)
    {
        if (closed || !admitsToken(expectedToken))
        {
            channel.close();
            return;
        }
        doorbell = channel;
        attachedToken = expectedToken;
        usedToken = expectedToken;
        failed = false;
        liveness.attached(header.getLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET));
        if (!requestProducer.check())
        {
            // it wrote its request ring's trailer before it attached
            failWorker(requestProducer.violation());
            return;
        }
        host.workerReady(slot);
        drain();
        ringWorker();
    }

    /**
     * The host's timer: store the listener heartbeat, and judge the worker's liveness. A worker is stuck while it is
     * awake, requests wait unread in its ring, and its heartbeat does not change; stuck for {@code timeoutMs} of the
     * listener's own clock, counted from the first look that found it so (wall-clock steps and clock differences
     * between the processes do not matter), it is hung. A sleeping worker is idle, not hung. On the home event loop.
     *
     * @param epochMs   the wall clock, stored as the listener heartbeat.
     * @param nowMs     the host's monotonic clock.
     * @param timeoutMs the heartbeat timeout; {@code 0} never finds a worker hung.
     * @return true, once per worker, when the worker is hung and must be killed.
     */
    boolean heartbeat(final long epochMs, final long nowMs, final long timeoutMs)
    {
        if (closed)
        {
            return false;
        }
        header.putLongRelease(WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET, epochMs);
        // no claim is open between event-loop tasks; one left by a throw is published as padding
        requestProducer.abortOpenClaim();
        if (null != doorbell && !failed && !requestProducer.check())
        {
            // found by the timer even when no request comes to claim room in the ring
            failWorker(requestProducer.violation());
        }
        if (null == doorbell || timeoutMs <= 0)
        {
            liveness.unwatched();
            return false;
        }
        return liveness.isHung(
            header.getLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET),
            header.getIntVolatile(WorkerFileDescriptor.WORKER_SLEEPING_OFFSET) == WorkerFileDescriptor.SLEEPING,
            requestProducer.knownHead() < requestProducer.tail(),
            nowMs,
            timeoutMs);
    }

    /**
     * The host is closing: from now on nothing touches the mapping, which is unmapped next. On the home event loop.
     */
    void close()
    {
        closed = true;
        pendingHeads.clear();
        clearPendingCredits();
        doorbell = null;
    }

    void detach(final Channel channel)
    {
        if (doorbell == channel)
        {
            doorbell = null;
        }
    }

    /**
     * Write a request head, stamped with the admission time ({@link System#nanoTime()}, read here: the host's cached
     * clock may lag by a timer period, which would make the worker's {@code queueWait} check fire early); on the
     * connection's event loop.
     *
     * @param request       the slot.
     * @param httpRequest   the decoded head.
     * @param contentLength of the body, -1 chunked, 0 none.
     * @return false when the head cannot be encoded at all (larger than the ring's largest message).
     */
    boolean openRequest(final SharedMemoryRequest request, final HttpRequest httpRequest, final long contentLength)
    {
        final String method = httpRequest.method().name();
        final String target = httpRequest.uri();
        final String remoteAddress = request.exchange().remoteAddress();
        int headersLength = 0;
        int longestField = 0;
        // one pass sizes the head and finds its longest header field (Netty's headers offer no allocation-free walk)
        final Iterator<Map.Entry<CharSequence, CharSequence>> sizing = httpRequest.headers().iteratorCharSequence();
        while (sizing.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> entry = sizing.next();
            final int nameLength = entry.getKey().length();
            final int valueLength = entry.getValue().length();
            headersLength += MessageDescriptor.headerEntryLength(nameLength, valueLength);
            longestField = Math.max(longestField, Math.max(nameLength, valueLength));
        }
        final int length = RequestHeadEncoder.length(
            method.length(), target.length(), remoteAddress.length(), headersLength);
        if (length > requestProducer.maxMsgLength() || target.length() > MessageDescriptor.MAX_FIELD_LENGTH ||
            method.length() > MessageDescriptor.MAX_FIELD_LENGTH || longestField > MessageDescriptor.MAX_FIELD_LENGTH)
        {
            return false;
        }

        request.assign(this, contentLength == 0 && isRetryable(httpRequest.method()), responseWindow);
        final int index = pendingHeads.isEmpty() ?
            claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length) : RingBuffer.INSUFFICIENT_CAPACITY;
        try
        {
            final MutableDirectBuffer buffer;
            final int offset;
            if (index > 0)
            {
                buffer = requestRing.buffer();
                offset = index;
            }
            else
            {
                buffer = request.holdHead(length);
                offset = 0;
            }

            // the admission time: the worker answers 503 itself if it takes the head more than queueWait after it; a
            // head written later from pendingHead (ring full, or again after a worker died) keeps this time
            headEncoder.wrap(buffer, offset)
                .requestId(request.requestId())
                .admittedAtNs(System.nanoTime())
                .contentLength(contentLength)
                .remotePort(request.exchange().remotePort())
                .method(method)
                .target(target)
                .remoteAddress(remoteAddress);
            final Iterator<Map.Entry<CharSequence, CharSequence>> headers =
                httpRequest.headers().iteratorCharSequence();
            while (headers.hasNext())
            {
                final Map.Entry<CharSequence, CharSequence> entry = headers.next();
                headEncoder.header(entry.getKey(), entry.getValue());
            }

            if (index > 0)
            {
                request.retainHead(buffer, index, length);
                request.headCommitted(requestProducer.commit(index));
                ringWorker();
            }
            else
            {
                request.headQueued();
                pendingHeads.addLast(request);
                scheduleRetry();
            }
        }
        finally
        {
            // a throw between claim and commit leaves padding, never a record the worker waits on forever
            requestProducer.abortOpenClaim();
        }
        return true;
    }

    /**
     * Methods a request of which may be sent to a worker a second time (RFC 9110 9.2.2 idempotent and safe ones).
     */
    private static boolean isRetryable(final HttpMethod method)
    {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
    }

    /**
     * Copy body bytes into the ring, as far as they fit; on the connection's event loop.
     *
     * @param request the slot.
     * @param content the chunk; its reader index advances over what was written.
     * @param last    true for the final chunk.
     * @return true when all of it (and the last flag) was written.
     */
    boolean offerBody(final SharedMemoryRequest request, final ByteBuf content, final boolean last)
    {
        if (request.isHeadPending())
        {
            return false;
        }
        boolean wrote = false;
        try
        {
            do
            {
                final int chunk = Math.min(content.readableBytes(), maxRequestChunk);
                final int index = claimRequestRecord(
                    MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(chunk));
                if (index <= 0)
                {
                    return false;
                }
                final boolean lastChunk = last && chunk == content.readableBytes();
                final MutableDirectBuffer buffer = requestRing.buffer();
                BodyChunkFlyweight.encode(
                    buffer, index, request.requestId(), lastChunk ? MessageDescriptor.LAST_FLAG : 0, chunk);
                if (chunk > 0)
                {
                    ByteBufViews.wrap(contentView, content, chunk);
                    buffer.putBytes(BodyChunkFlyweight.dataOffset(index), contentView, 0, chunk);
                    content.skipBytes(chunk);
                }
                requestProducer.commit(index);
                wrote = true;
                if (lastChunk)
                {
                    return true;
                }
            }
            while (content.isReadable() || last);
            return true;
        }
        finally
        {
            // a throw between claim and commit leaves padding, never a record the worker waits on forever
            requestProducer.abortOpenClaim();
            if (wrote)
            {
                ringWorker();
            }
        }
    }

    /**
     * The request was abandoned (client gone, or requestTimeout): tell the worker if it may have the head, and free
     * the slot. On the home event loop.
     *
     * @param request the slot.
     */
    void abort(final SharedMemoryRequest request)
    {
        tellAbort(request);
        finish(request);
    }

    private void tellAbort(final SharedMemoryRequest request)
    {
        if (request.isHeadPending())
        {
            pendingHeads.remove(request);
        }
        else if (!closed)
        {
            final int index = claimRequestRecord(
                MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID, MessageDescriptor.CHUNK_HEADER_LENGTH);
            if (index > 0)
            {
                BodyChunkFlyweight.encode(requestRing.buffer(), index, request.requestId(), 0, 0);
                requestProducer.commit(index);
                ringWorker();
            }
        }
    }

    /**
     * Drain the response ring into the connections until it is empty, then set the sleeping flag and look once more.
     * On the doorbell channel's event loop. Stops for good (until the next worker attaches) once the worker failed.
     */
    void drain()
    {
        if (closed || failed)
        {
            return;
        }
        try
        {
            while (!failed)
            {
                final int count = readResponses(DRAIN_LIMIT);
                if (count == DRAIN_LIMIT)
                {
                    // stay awake but let the event loop serve its sockets before the next batch
                    final Channel channel = doorbell;
                    if (null != channel)
                    {
                        channel.eventLoop().execute(drainTask);
                        return;
                    }
                    continue;
                }
                if (count > 0)
                {
                    continue;
                }
                WakeProtocol.arm(header, WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET);
                final long position = responseHead;
                // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
                if (readResponses(DRAIN_LIMIT) == 0 && responseHead == position)
                {
                    return;
                }
                WakeProtocol.disarm(header, WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET);
            }
        }
        catch (final RuntimeException ex)
        {
            // the listener cannot tell a bad record from its own fault here: the worker is replaced either way, and
            // the requests it holds are settled when it exits
            failWorker("reading its response ring failed: " + ex);
        }
    }

    /**
     * Read up to {@code limit} records off the response ring, as Agrona's {@code ManyToOneRingBuffer.read} does (zero
     * what was read, then move the head position), but checking each record's length against the space left before
     * the end of the ring first: a length written by the worker is never used to read, zero or move past the ring.
     *
     * @return the number of messages read (padding is skipped, not counted).
     */
    private int readResponses(final int limit)
    {
        final AtomicBuffer buffer = responseRing.buffer();
        // the listener's own copy: the worker maps the trailer read-write, and only the consumer writes the head
        final long head = responseHead;
        final int headIndex = (int)head & (responseCapacity - 1);
        final int maxBlockLength = responseCapacity - headIndex;
        int bytesRead = 0;
        int messages = 0;
        try
        {
            while (bytesRead < maxBlockLength && messages < limit && !failed)
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break;
                }
                if (recordLength < RecordDescriptor.HEADER_LENGTH || recordLength > maxBlockLength - bytesRead)
                {
                    failWorker("record length " + recordLength + " at ring offset " + recordIndex +
                        " does not fit the ring (" + (maxBlockLength - bytesRead) + " bytes to its end)");
                    break;
                }
                bytesRead += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                final int msgTypeId = buffer.getInt(RecordDescriptor.typeOffset(recordIndex));
                if (msgTypeId == RingBuffer.PADDING_MSG_TYPE_ID)
                {
                    continue;
                }
                messages++;
                onRecord(msgTypeId, buffer, recordIndex + RecordDescriptor.HEADER_LENGTH,
                    recordLength - RecordDescriptor.HEADER_LENGTH);
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                buffer.setMemory(headIndex, bytesRead, (byte)0);
                responseHead = head + bytesRead;
                buffer.putLongRelease(responseHeadPositionIndex, responseHead);
            }
        }
        return messages;
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
        {
            onResponseHead(buffer, index, length);
        }
        else if (msgTypeId == MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID)
        {
            onResponseBody(buffer, index, length);
        }
        else
        {
            failWorker("unknown message type " + msgTypeId + " in the response ring");
        }
    }

    /**
     * The worker process exited: deliver the answers it completed, answer what it may have started with 502 (or
     * write an idempotent request into the ring again, once, when its response has not begun), keep what it never read
     * for the next worker, and clear the response ring (its only producer is gone). On the doorbell's event loop.
     */
    void workerExited()
    {
        if (closed)
        {
            return;
        }
        // the worker is gone: nothing to kill any more, whatever its response ring holds
        attachedToken = null;
        try
        {
            drain();
            clearPendingCredits();
            settleInFlight();
        }
        finally
        {
            // reset even when draining or settling threw: a bad record left here would fail every replacement
            responseRingBuffer.setMemory(0, responseRingBuffer.capacity(), (byte)0);
            responseHead = 0;
            header.putIntVolatile(WorkerFileDescriptor.WORKER_SLEEPING_OFFSET, WorkerFileDescriptor.AWAKE);
            header.putIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET, WorkerFileDescriptor.AWAKE);
            doorbell = null;
            liveness.exited();
            failed = false;
            if (!pendingHeads.isEmpty() && !retryScheduled)
            {
                retryPending();
            }
        }
    }

    private void settleInFlight()
    {
        repairConsumerPosition();
        final long consumed = requestProducer.knownHead();
        final int[] settled = new int[3];
        host.slots().forEachInFlight(
            this,
            RequestSlots.ANY_START,
            (request) ->
            {
                if (request.isHeadPending() || request.headPosition() >= consumed)
                {
                    settled[SETTLED_LEFT]++;
                    return;
                }
                final ClientExchange exchange = request.exchange();
                if (request.mayRetry() && !exchange.isHeadSent())
                {
                    settled[SETTLED_RETRIED]++;
                    host.responseBytesDone(request.retryHead(responseWindow));
                    pendingHeads.addLast(request);
                }
                else
                {
                    settled[SETTLED_FAILED]++;
                    answer(request, 502, "bad gateway: worker exited");
                }
            });
        host.workerExitSettled(slot, settled[SETTLED_FAILED], settled[SETTLED_RETRIED], settled[SETTLED_LEFT]);
    }

    /**
     * Agrona's consumer zeroes the records it has read and then moves the head position: a worker killed between the
     * two leaves the record at the head zeroed, or only its first bytes zeroed (header first), which the next worker
     * would read as an empty ring, or as a record header in the middle of a body. Move the head to the first record
     * whose length word is still the one this listener committed, from the listener's own account of where its records
     * start ({@link PublishedRecords}), never from the ring's contents. Only while no worker is attached (the listener
     * is then the ring's only user).
     */
    void repairConsumerPosition()
    {
        final AtomicBuffer buffer = requestRing.buffer();
        final long head = buffer.getLongVolatile(requestHeadPositionIndex);
        final long tail = requestProducer.tail();
        final long position;
        if (requestProducer.isBroken() || !requestProducer.checkHead(head))
        {
            // it broke the ring's protocol: nothing it says about what it took is believed; every record published
            // may have been taken (its requests are answered 502, or written again when idempotent)
            position = tail;
            final long from = requestProducer.knownHead();
            LOG.warning(() -> "worker " + slot + " left a request ring trailer that breaks the protocol (head " +
                head + "); discarding the " + (tail - from) + " bytes from " + from + " to the tail");
        }
        else
        {
            position = publishedRecords.repair(buffer, head, tail);
            if (position != head)
            {
                final long skipped = position - head;
                LOG.warning(() -> "worker " + slot + " died while taking " + skipped + " bytes off its request ring; " +
                    "moving the head past them");
            }
        }
        // the trailer holds the listener's positions again, and the free part of the buffer only zeros
        requestProducer.reset(position);
        if (position != head)
        {
            ringRepairs++;
        }
    }

    /**
     * @return how many times {@link #repairConsumerPosition()} moved the head past records a dead worker took.
     */
    long ringRepairs()
    {
        return ringRepairs;
    }

    private void onResponseHead(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < ResponseHeadEncoder.VARIABLE_OFFSET)
        {
            failWorker("RESPONSE_HEAD of " + length + " bytes, shorter than its fixed part");
            return;
        }
        // each field read once: the worker can still write to the record
        responseDecoder.wrap(buffer, index);
        final long requestId = responseDecoder.requestId();
        final long contentLength = responseDecoder.contentLength();
        final int status = responseDecoder.status();
        final boolean last = (responseDecoder.flags() & MessageDescriptor.LAST_FLAG) != 0;
        final int headerCount = responseDecoder.headerCount();
        final int bodyLength = responseDecoder.bodyLength();
        final int end = index + length;
        final SharedMemoryRequest request = host.slots().lookup(requestId, this);
        if (contentLength < MessageDescriptor.UNKNOWN_LENGTH)
        {
            failWorker(request, "RESPONSE_HEAD with content length " + contentLength);
            return;
        }
        if (headerCount < 0 || headerCount > (length - ResponseHeadEncoder.VARIABLE_OFFSET) /
            MessageDescriptor.HEADER_ENTRY_LENGTH)
        {
            failWorker(request, "RESPONSE_HEAD with header count " + headerCount + " in " + length + " bytes");
            return;
        }
        if (bodyLength < 0 || bodyLength > length - ResponseHeadEncoder.VARIABLE_OFFSET)
        {
            failWorker(request, "RESPONSE_HEAD with inline body length " + bodyLength + " in " + length + " bytes");
            return;
        }

        final ClientExchange exchange = null == request ? null : request.exchange();
        if (null != exchange && exchange.isHeadSent() && !exchange.isDone())
        {
            // its response is open: only the worker's own head can have been sent
            failWorker(request, "second RESPONSE_HEAD");
            return;
        }
        final boolean answer = null != exchange && !exchange.isDone() && ResponseHeads.isFinalStatus(status);
        final ByteBuf head = answer ? exchange.beginHead(status) : null;
        boolean valid = true;
        try
        {
            headerCursor.reset(buffer, responseDecoder.headersOffset(), headerCount, end);
            while (headerCursor.next())
            {
                if (valid && null != head)
                {
                    valid = ResponseHeads.checkedHeader(
                        head, buffer, headerCursor.nameOffset(), headerCursor.nameLength(),
                        headerCursor.valueOffset(), headerCursor.valueLength());
                }
            }
        }
        catch (final RuntimeException ex)
        {
            if (null != head)
            {
                head.release();
            }
            throw ex;
        }
        final int bodyOffset = headerCursor.end();
        if (headerCursor.isMalformed() || bodyLength > end - bodyOffset)
        {
            if (null != head)
            {
                head.release();
            }
            failWorker(request, "RESPONSE_HEAD whose header entries or inline body (" + bodyLength +
                " bytes) run past its " + length + " bytes");
            return;
        }
        if (null == exchange)
        {
            return;
        }
        if (null == head || !valid)
        {
            if (null != head)
            {
                head.release();
            }
            if (exchange.isDone())
            {
                // answered already (its body was cut at its declared length): nothing more is needed from the worker
                answered(request, request.generation(), last);
            }
            else
            {
                // well formed but not a valid HTTP answer: 502 in its place; the worker keeps serving
                final String reason = null == head ? "status " + status + " is not a final status" :
                    "a header name that is not a token or a value with CR, LF or NUL";
                LOG.warning(() -> "worker " + slot + " sent a response with " + reason + "; answered 502");
                tellAbort(request);
                answer(request, 502, "bad gateway: invalid response from the worker");
            }
            return;
        }
        final int generation = request.generation();
        final boolean sent;
        try
        {
            sent = exchange.finishHead(head, status, contentLength, buffer, bodyOffset, bodyLength, last);
        }
        catch (final RuntimeException ex)
        {
            answerAfterThrow(request, generation);
            throw ex;
        }
        if (!sent)
        {
            // checked above, so never expected: a dropped head never answers the request
            failWorker(request, "RESPONSE_HEAD for a request whose head was sent");
            return;
        }
        answered(request, generation, last);
    }

    private void onResponseBody(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < MessageDescriptor.CHUNK_HEADER_LENGTH)
        {
            failWorker("RESPONSE_BODY of " + length + " bytes, shorter than its fixed part");
            return;
        }
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final boolean last = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
        final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
        final SharedMemoryRequest request = host.slots().lookup(requestId, this);
        if (chunkLength < 0 || chunkLength > length - MessageDescriptor.CHUNK_HEADER_LENGTH)
        {
            failWorker(request, "RESPONSE_BODY with chunk length " + chunkLength + " in " + length + " bytes");
            return;
        }
        if (null == request)
        {
            return;
        }
        final ClientExchange exchange = request.exchange();
        if (!exchange.isHeadSent() && !exchange.isDone())
        {
            failWorker(request, "RESPONSE_BODY before the RESPONSE_HEAD of its request");
            return;
        }
        if ((BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.ABORT_FLAG) != 0 && last)
        {
            // the worker abandoned the response it began (its handler failed): the client sees it cut off
            answer(request, HandlerInvoker.FAILURE_STATUS, "internal server error");
            return;
        }
        if (!request.credit.onBody(chunkLength))
        {
            final long limit = request.credit.limit();
            final long received = request.credit.received();
            failWorker(request, "sent a response body chunk of " + chunkLength + " bytes past its credit (" +
                received + " of " + limit + " bytes sent)");
            return;
        }
        host.responseBytesReceived(chunkLength, request.credit.outstanding());
        final int generation = request.generation();
        try
        {
            exchange.body(buffer, BodyChunkFlyweight.dataOffset(index), chunkLength, last);
        }
        catch (final RuntimeException ex)
        {
            answerAfterThrow(request, generation);
            throw ex;
        }
        if (answered(request, generation, last) && request.credit.shouldWatch())
        {
            watch(request);
        }
    }

    /**
     * A message of the worker's answer went to the exchange: free the slot after the last one; and when the exchange
     * ended before it (a body past its declared length is cut there), tell the worker to stop and free the slot now.
     *
     * @return true while the request stays in flight for more of the worker's answer.
     */
    private boolean answered(final SharedMemoryRequest request, final int generation, final boolean last)
    {
        if (request.generation() != generation || null == request.exchange())
        {
            return false;
        }
        if (last)
        {
            finish(request);
            return false;
        }
        if (request.exchange().isDone())
        {
            abort(request);
            return false;
        }
        return true;
    }

    /**
     * Answer a request in the worker's place (502 or similar; its connection is closed if its head was sent), then
     * free its slot: freed last, so an answer path that throws leaves the request in flight to be settled.
     */
    private void answer(final SharedMemoryRequest request, final int status, final String message)
    {
        final int generation = request.generation();
        final ClientExchange exchange = request.exchange();
        // the listener answers: the exchange's abort of its sink must not write an abort for the worker
        request.answeredByListener();
        try
        {
            exchange.sendError(status, message);
        }
        finally
        {
            settle(request, generation);
        }
    }

    /**
     * The answer path threw midway: answer 502 (or close, when the head was sent) so the request still settles; the
     * caller then fails the worker.
     */
    private void answerAfterThrow(final SharedMemoryRequest request, final int generation)
    {
        if (request.generation() == generation && null != request.exchange())
        {
            answer(request, 502, "bad gateway: invalid response from the worker");
        }
    }

    /**
     * Free a request's slot once its answer path has run, unless the slot moved on meanwhile (the answer path may end
     * the request itself: a connection that closes aborts its requests).
     */
    private void settle(final SharedMemoryRequest request, final int generation)
    {
        if (request.generation() == generation && null != request.exchange())
        {
            finish(request);
        }
    }

    /**
     * The worker broke the protocol (a malformed record in its response ring, a body past its credit): it fails alone.
     * From now on nothing it sends reaches a client (its response ring is not read again) and no request is sent to
     * it; it is killed, by the path a hung worker takes, and when it has exited its requests are settled as for any
     * worker that died ({@link #workerExited()}: 502, or a retry of an idempotent request whose response had not
     * begun; those it never took left for its replacement) and its replacement starts on reset rings. Other workers
     * and queues are not affected. Idempotent; on the home event loop.
     *
     * @param reason what the worker did, for the log.
     */
    void failWorker(final String reason)
    {
        if (closed || failed)
        {
            return;
        }
        failed = true;
        doorbell = null;
        // the token of the worker that was attached: never the one a replacement may be starting with by now
        host.failWorker(slot, attachedToken, reason);
    }

    /**
     * Fail the worker over a record for one request: that request is answered 502 at once (or its connection
     * closed, when its head was sent), not retried.
     */
    private void failWorker(final SharedMemoryRequest request, final String reason)
    {
        if (null != request && null != request.exchange())
        {
            answer(request, 502, "bad gateway: invalid response from the worker");
        }
        failWorker(reason);
    }

    /**
     * @return true once {@link #failWorker(String)} was called, until the worker's replacement attaches.
     */
    boolean isFailed()
    {
        return failed;
    }

    /**
     * A grant still waiting for room in the request ring is dropped with its request.
     *
     * @param request the slot being released.
     */
    void dropPendingCredit(final SharedMemoryRequest request)
    {
        pendingCredits.remove(request);
        request.credit.takePendingGrant();
    }

    /**
     * Ask to hear when the response bytes received so far have been taken by the client's socket; then grant them.
     * The notice comes to {@link #flushListener} with the request's id, so a late one for a slot that has moved on is
     * ignored; nothing is allocated.
     */
    private void watch(final SharedMemoryRequest request)
    {
        request.credit.watch();
        request.exchange().notifyWhenFlushed(flushListener, request.requestId());
    }

    /**
     * The client's socket took the response bytes up to the request's watched mark, if the request is still the one
     * that asked and is still answered through this link: grant them as credit, and watch again when half a window
     * is already outstanding beyond them.
     *
     * @param requestId as given with the watch.
     */
    void onFlushed(final long requestId)
    {
        if (closed || failed)
        {
            return;
        }
        final SharedMemoryRequest request = host.slots().lookup(requestId, this);
        if (null != request)
        {
            flushed(request);
        }
    }

    /**
     * The client's socket took the response bytes up to the request's watched mark.
     *
     * @param request in flight on this link.
     */
    void flushed(final SharedMemoryRequest request)
    {
        final int grant = request.credit.flushed(request.credit.watchMark());
        if (grant > 0)
        {
            host.responseBytesDone(grant);
            grant(request, grant);
        }
        if (request.credit.shouldWatch())
        {
            watch(request);
        }
    }

    private void grant(final SharedMemoryRequest request, final int grant)
    {
        if (request.isGrantQueued())
        {
            request.credit.deferGrant(grant);
        }
        else if (!writeCredit(request.requestId(), grant))
        {
            request.credit.deferGrant(grant);
            request.grantQueued();
            pendingCredits.addLast(request);
            scheduleRetry();
        }
    }

    private boolean writeCredit(final long requestId, final int grant)
    {
        final int index = claimRequestRecord(
            MessageDescriptor.RESPONSE_CREDIT_MSG_TYPE_ID, MessageDescriptor.CHUNK_HEADER_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        BodyChunkFlyweight.encode(requestRing.buffer(), index, requestId, 0, grant);
        requestProducer.commit(index);
        ringWorker();
        return true;
    }

    private void clearPendingCredits()
    {
        SharedMemoryRequest request;
        while (null != (request = pendingCredits.pollFirst()))
        {
            request.grantWritten();
            request.credit.takePendingGrant();
        }
    }

    private void finish(final SharedMemoryRequest request)
    {
        request.release();
    }

    private void retryPending()
    {
        retryScheduled = false;
        if (closed)
        {
            return;
        }
        SharedMemoryRequest request;
        while (null != (request = pendingCredits.peekFirst()))
        {
            // credit first: it lets the worker finish answers, which frees room in both rings
            if (!writeCredit(request.requestId(), request.credit.pendingGrant()))
            {
                break;
            }
            request.credit.takePendingGrant();
            request.grantWritten();
            pendingCredits.pollFirst();
        }
        boolean wrote = false;
        while (null != (request = pendingHeads.peekFirst()))
        {
            final int length = request.pendingHeadLength();
            final int index = claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
            if (index <= 0)
            {
                break;
            }
            requestRing.buffer().putBytes(index, request.pendingHead(), 0, length);
            request.headCommitted(requestProducer.commit(index));
            pendingHeads.pollFirst();
            wrote = true;
        }
        if (wrote)
        {
            ringWorker();
        }
        if (!pendingHeads.isEmpty() || !pendingCredits.isEmpty())
        {
            scheduleRetry();
        }
    }

    private void scheduleRetry()
    {
        if (!retryScheduled)
        {
            retryScheduled = true;
            final EventLoop loop = host.eventLoop();
            loop.schedule(retryPending, PENDING_RETRY_NS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Wake the worker, if it sleeps, once at the end of this event-loop turn rather than per message: requests
     * committed in one turn reach a sleeping worker with one doorbell, and a worker sharing this core is not
     * scheduled in between them.
     */
    private void ringWorker()
    {
        // no worker attached: it looks at its ring when it attaches
        if (!wakeScheduled && null != doorbell)
        {
            wakeScheduled = true;
            host.eventLoop().execute(wakeTask);
        }
    }

    private void wakeWorkerNow()
    {
        wakeScheduled = false;
        if (closed)
        {
            return;
        }
        final Channel channel = doorbell;
        if (null != channel && WakeProtocol.shouldWake(header, WorkerFileDescriptor.WORKER_SLEEPING_OFFSET))
        {
            try
            {
                wakeByte.clear();
                ((UnixChannel)channel).fd().write(wakeByte, 0, 1);
            }
            catch (final IOException ex)
            {
                // the worker is gone; its exit is handled when the process is reaped
            }
        }
    }

    /**
     * Claim room in the request ring ({@link RequestRingProducer#tryClaim}). A trailer the worker has written (the
     * tail or head cache position, which only the listener writes, or a head position no consumer following the
     * protocol stores) fails the worker and claims nothing: the caller sees a full ring, and what it holds waits for
     * the replacement, as for any full ring. Never throws for what the worker wrote.
     *
     * @return the message index, or a value {@code <= 0} when nothing was claimed.
     */
    private int claimRequestRecord(final int msgTypeId, final int length)
    {
        final int index = requestProducer.tryClaim(msgTypeId, length);
        if (RequestRingProducer.BROKEN == index)
        {
            // before it attached, the worker is failed when it attaches (attach checks the trailer)
            if (null != doorbell)
            {
                failWorker(requestProducer.violation());
            }
            return RingBuffer.INSUFFICIENT_CAPACITY;
        }
        return index;
    }
}
