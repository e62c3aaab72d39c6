package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.CreditQueueWriter;
import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.ClientExchange;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything the listener writes into one worker's request ring: request heads (encoded straight into the ring),
 * body chunks, aborts and response credit grants, through the {@link RequestRingProducer}; and the wake-up of the
 * worker once per event-loop turn.
 * <p>
 * A full request ring is back-pressure: a head that does not fit waits in its slot's buffer, queued here, and a body
 * chunk is refused so the connection stops reading and offers it again; a grant that does not fit is merged into the
 * request's pending grant and queued. Both queues are retried shortly ({@value #PENDING_RETRY_US} us), credit first.
 * <p>
 * The connections whose body pieces were refused wait in a queue, oldest first, and are resumed with hysteresis: only
 * once half the ring is free (at least one whole chunk), one connection for each half of the ring free. Pausing and
 * resuming a connection's reading costs two system calls ({@code epoll_ctl}); a connection resumed into half the ring
 * reads many pieces before it pauses again, where one resumed into room for a single chunk pauses again after it,
 * and the others resumed with it at once. The worker still has the other half of the ring to take meanwhile.
 * <p>
 * Trust: room is claimed from the listener's own copy of the ring's positions; a trailer the worker has written fails
 * the worker ({@link SharedMemoryLink#failWorker(String)}) and claims nothing. A throw between claim and commit
 * leaves padding, never a record the worker waits on forever.
 * <p>
 * Threading: confined to the host's event loop.
 */
final class RequestRingPublisher
{
    private static final long PENDING_RETRY_US = 50;
    private static final long PENDING_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(PENDING_RETRY_US);
    private static final int INITIAL_HEADER_FIELDS = 64;
    private static final int BODY_INLINE = 0;
    private static final int HEAD_WRITTEN = 1;
    private static final int HEAD_QUEUED = 2;

    /**
     * Blocked bodies are resumed once this fraction (1 / divisor) of the request ring is free, one connection for
     * each such fraction free; the others wait, in order, for the next resume.
     */
    private static final int RESUME_ROOM_DIVISOR = 2;

    /**
     * Retries ({@value #PENDING_RETRY_US} us apart) without a resume after which room for one whole chunk is enough:
     * a worker that takes records slowly, or stops short of freeing half the ring, still gets the bodies.
     */
    private static final int PATIENT_RETRIES = 20;

    private final SharedMemoryLink link;
    private final Doorbell wakeUp;
    private final AtomicBuffer ringBuffer;
    private final RequestRingProducer requestProducer;
    private final int maxRequestChunk;
    private final int inlineMaxLength;
    private final int responseWindow;
    private final int chunkRoom;
    private final int resumeRoom;
    private final RequestHeadEncoder headEncoder = new RequestHeadEncoder();
    private final UnsafeBuffer contentView = new UnsafeBuffer(0, 0);
    private final CreditQueueWriter creditQueue;
    private final ArrayDeque<SharedMemoryRequest> pendingHeads = new ArrayDeque<>();
    private final ArrayDeque<SharedMemoryRequest> pendingCredits = new ArrayDeque<>();
    private final ArrayDeque<SharedMemoryRequest> blockedBodies = new ArrayDeque<>();
    private final Runnable retryPending = this::retryPending;
    private final Runnable wakeTask = this::wakeWorkerNow;
    private final Runnable resumedTask = this::resumesOffered;
    private CharSequence[] headerFields = new CharSequence[INITIAL_HEADER_FIELDS];
    private int headersLength;
    private int longestField;
    private boolean inlineBodies;
    private boolean wakeByPipe;
    private boolean wakeScheduled;
    private boolean retryScheduled;
    private boolean resuming;
    private int retriesWithoutResume;
    private boolean closed;

    /**
     * @param link            the worker's link: its doorbell, its event loop, and its failure.
     * @param wakeUp          the listener's end of the worker's doorbell.
     * @param ringBuffer      the request ring's buffer.
     * @param requestProducer the listener's producer over it.
     * @param creditQueue     the lane's credit queue, used for a worker that announced it.
     * @param responseWindow  the response body a worker may send ahead of the listener's credit.
     */
    RequestRingPublisher(
        final SharedMemoryLink link,
        final Doorbell wakeUp,
        final AtomicBuffer ringBuffer,
        final RequestRingProducer requestProducer,
        final CreditQueueWriter creditQueue,
        final int responseWindow)
    {
        this.creditQueue = creditQueue;
        this.link = link;
        this.wakeUp = wakeUp;
        this.ringBuffer = ringBuffer;
        this.requestProducer = requestProducer;
        this.maxRequestChunk = requestProducer.maxMsgLength() - MessageDescriptor.CHUNK_HEADER_LENGTH;
        this.inlineMaxLength = Math.min(RequestHeadEncoder.INLINE_MESSAGE_MAX_LENGTH, requestProducer.maxMsgLength());
        this.responseWindow = responseWindow;
        this.chunkRoom = BitUtil.align(
            BodyChunkFlyweight.length(maxRequestChunk) + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        this.resumeRoom = Math.max(requestProducer.capacity() / RESUME_ROOM_DIVISOR, chunkRoom);
    }

    /**
     * A worker attached: from now on its features decide how bodies are written.
     *
     * @param features the worker's features ({@link WorkerFileDescriptor#WORKER_FEATURES_OFFSET}).
     */
    void workerAttached(final int features)
    {
        inlineBodies = (features & WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY) != 0;
        wakeByPipe = (features & WorkerFileDescriptor.FEATURE_WAKE_PIPE) != 0 && null != link.wakePipe();
        creditQueue.workerAttached(features);
        if (!blockedBodies.isEmpty() || !pendingHeads.isEmpty())
        {
            // heads and body pieces refused while no worker took records: written again as this one makes room
            scheduleRetry();
        }
    }

    /**
     * The worker exited: until the next one attaches, bodies go as {@code REQUEST_BODY} chunks, which any worker reads.
     */
    void workerDetached()
    {
        inlineBodies = false;
        wakeByPipe = false;
        creditQueue.reset();
    }

    /**
     * The host is closing: nothing is written or retried any more.
     */
    void close()
    {
        closed = true;
        pendingHeads.clear();
        clearPendingCredits();
        SharedMemoryRequest request;
        while (null != (request = blockedBodies.pollFirst()))
        {
            request.bodyBlocked(false);
        }
    }

    /**
     * The worker died after it may have started the request: encode its retained head again, with its first admission
     * time, and write it into the ring again, after the heads already waiting.
     *
     * @param request whose {@link SharedMemoryRequest#retryHead} was just called.
     */
    void requeueHead(final SharedMemoryRequest request)
    {
        final HttpRequest httpRequest = request.retainedRequest();
        final int fields = collectFields(httpRequest);
        try
        {
            // it was encoded from the same head once, so it fits
            final int length = headLength(httpRequest, request);
            encode(request.holdHead(length), 0, request, httpRequest, 0, request.admittedAtNs(), fields);
        }
        finally
        {
            Arrays.fill(headerFields, 0, fields, null);
        }
        pendingHeads.addLast(request);
    }

    /**
     * After a worker exited: write the heads waiting for room now, unless a retry is already scheduled.
     */
    void retryPendingHeads()
    {
        if (!pendingHeads.isEmpty() && !retryScheduled)
        {
            retryPending();
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
        final int fields = collectFields(httpRequest);
        try
        {
            return encodeHead(request, httpRequest, contentLength, fields);
        }
        finally
        {
            // the fields belong to the request: let them go with it
            Arrays.fill(headerFields, 0, fields, null);
        }
    }

    /**
     * One pass over the header fields: sizes them ({@link #headersLength}), finds the longest ({@link #longestField})
     * and keeps them in {@link #headerFields} for the encoding (Netty's headers offer no allocation-free walk: one
     * iterator per request).
     *
     * @return the number of names and values kept.
     */
    private int collectFields(final HttpRequest httpRequest)
    {
        int headersLength = 0;
        int longestField = 0;
        int fields = 0;
        final Iterator<Map.Entry<CharSequence, CharSequence>> sizing = httpRequest.headers().iteratorCharSequence();
        while (sizing.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> entry = sizing.next();
            final CharSequence name = entry.getKey();
            final CharSequence value = entry.getValue();
            final int nameLength = name.length();
            final int valueLength = value.length();
            headersLength += MessageDescriptor.headerEntryLength(nameLength, valueLength);
            longestField = Math.max(longestField, Math.max(nameLength, valueLength));
            if (fields + 2 > headerFields.length)
            {
                headerFields = Arrays.copyOf(headerFields, headerFields.length * 2);
            }
            headerFields[fields++] = name;
            headerFields[fields++] = value;
        }
        this.headersLength = headersLength;
        this.longestField = longestField;
        return fields;
    }

    private int headLength(final HttpRequest httpRequest, final SharedMemoryRequest request)
    {
        return RequestHeadEncoder.length(
            httpRequest.method().name().length(), httpRequest.uri().length(),
            request.exchange().remoteAddress().length(), headersLength + tlsFieldsLength(request.exchange().tls()));
    }

    private boolean encodeHead(
        final SharedMemoryRequest request,
        final HttpRequest httpRequest,
        final long contentLength,
        final int fields)
    {
        final String method = httpRequest.method().name();
        final String target = httpRequest.uri();
        final int length = headLength(httpRequest, request);
        if (length > requestProducer.maxMsgLength() || target.length() > MessageDescriptor.MAX_FIELD_LENGTH ||
            method.length() > MessageDescriptor.MAX_FIELD_LENGTH || longestField > MessageDescriptor.MAX_FIELD_LENGTH ||
            tlsFieldTooLong(request.exchange().tls()))
        {
            return false;
        }

        request.assign(link, contentLength == 0 && isRetryable(httpRequest.method()), responseWindow);
        // a body small enough to go inline: the head waits in its slot for it (no ring record yet), see offerBody
        final boolean awaitBody = inlineBodies && contentLength > 0 && contentLength <= inlineMaxLength - length;
        final int index = pendingHeads.isEmpty() && !awaitBody ?
            claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length) : RingBuffer.INSUFFICIENT_CAPACITY;
        try
        {
            // the admission time: the worker answers 503 itself if it takes the head more than queueWait after it; a
            // head written later from pendingHead (ring full, or again after a worker died) keeps this time
            final long admittedAtNs = System.nanoTime();
            if (index > 0)
            {
                encode(ringBuffer, index, request, httpRequest, contentLength, admittedAtNs, fields);
                request.retainHead(httpRequest, admittedAtNs);
                request.headCommitted(requestProducer.commit(index));
                ringWorker();
            }
            else if (awaitBody)
            {
                encode(request.holdHead(length), 0, request, httpRequest, contentLength, admittedAtNs, fields);
                request.awaitBody();
            }
            else
            {
                encode(request.holdHead(length), 0, request, httpRequest, contentLength, admittedAtNs, fields);
                request.retainHead(httpRequest, admittedAtNs);
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

    private void encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final SharedMemoryRequest request,
        final HttpRequest httpRequest,
        final long contentLength,
        final long admittedAtNs,
        final int fields)
    {
        headEncoder.wrap(buffer, offset)
            .requestId(request.requestId())
            .admittedAtNs(admittedAtNs)
            .contentLength(contentLength)
            .remotePort(request.exchange().remotePort())
            .method(httpRequest.method().name())
            .target(httpRequest.uri())
            .remoteAddress(request.exchange().remoteAddress());
        final CharSequence[] headerFields = this.headerFields;
        for (int i = 0; i < fields; i += 2)
        {
            headEncoder.header(headerFields[i], headerFields[i + 1]);
        }
        final TlsInfo tls = request.exchange().tls();
        if (null != tls)
        {
            encodeTlsFields(tls);
        }
    }

    private static int tlsFieldsLength(final TlsInfo tls)
    {
        if (null == tls)
        {
            return 0;
        }
        int length = MessageDescriptor.headerEntryLength(TlsInfo.PROTOCOL_FIELD.length(), tls.protocol().length()) +
            MessageDescriptor.headerEntryLength(TlsInfo.CIPHER_FIELD.length(), tls.cipher().length());
        if (null != tls.serverName())
        {
            length += MessageDescriptor.headerEntryLength(
                TlsInfo.SERVER_NAME_FIELD.length(), tls.serverName().length());
        }
        if (null != tls.clientCertificateField())
        {
            length += MessageDescriptor.headerEntryLength(
                TlsInfo.CLIENT_CERT_FIELD.length(), tls.clientCertificateField().length());
        }
        return length;
    }

    private static boolean tlsFieldTooLong(final TlsInfo tls)
    {
        return null != tls && null != tls.clientCertificateField() &&
            tls.clientCertificateField().length() > MessageDescriptor.MAX_FIELD_LENGTH;
    }

    /**
     * The TLS facts of an https request, as the listener's fields after the client's (the worker SDK reads them into
     * {@code Exchange.tls()}; a worker reading only the header count never sees them).
     */
    private void encodeTlsFields(final TlsInfo tls)
    {
        headEncoder.listenerField(TlsInfo.PROTOCOL_FIELD, tls.protocol())
            .listenerField(TlsInfo.CIPHER_FIELD, tls.cipher());
        if (null != tls.serverName())
        {
            headEncoder.listenerField(TlsInfo.SERVER_NAME_FIELD, tls.serverName());
        }
        if (null != tls.clientCertificateField())
        {
            headEncoder.listenerField(TlsInfo.CLIENT_CERT_FIELD, tls.clientCertificateField());
        }
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
        if (request.isBodyAwaited())
        {
            final int written = publishAwaitedHead(request, content, last);
            if (written != HEAD_WRITTEN)
            {
                return written == BODY_INLINE;
            }
        }
        if (request.isHeadPending())
        {
            // offered again once the head is written
            blockBody(request);
            return false;
        }
        boolean wrote = false;
        try
        {
            do
            {
                final int chunk = Math.min(Math.min(content.readableBytes(), maxRequestChunk), request.tunnel.room());
                if (chunk == 0 && content.isReadable())
                {
                    // a tunnel out of credit: the connection stops reading until the worker grants more
                    return false;
                }
                final int index = claimRequestRecord(
                    MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(chunk));
                if (index <= 0)
                {
                    blockBody(request);
                    return false;
                }
                final boolean lastChunk = last && chunk == content.readableBytes();
                final MutableDirectBuffer buffer = ringBuffer;
                BodyChunkFlyweight.encode(
                    buffer, index, request.requestId(), lastChunk ? MessageDescriptor.LAST_FLAG : 0, chunk);
                if (chunk > 0)
                {
                    ByteBufViews.wrap(contentView, content, chunk);
                    buffer.putBytes(BodyChunkFlyweight.dataOffset(index), contentView, 0, chunk);
                    content.skipBytes(chunk);
                }
                requestProducer.commit(index);
                request.tunnel.sent(chunk);
                wrote = true;
                if (lastChunk)
                {
                    break;
                }
            }
            while (content.isReadable() || last);
            if (request.isBodyBlocked())
            {
                // offered again while it waits in the queue (a connection's own check timer): it is all in now
                request.bodyBlocked(false);
                blockedBodies.remove(request);
            }
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
     * The head of a request whose body may go inline waits in its slot ({@link SharedMemoryRequest#isBodyAwaited()});
     * the first body offered settles it. When that is the whole body, in one piece, and the worker still takes
     * inline bodies and no older head waits for room, head and body are written as one {@code REQUEST_HEAD} record
     * ({@link RequestHeadEncoder#INLINE_BODY_FLAG}): one copy of the body, from the client's buffer into the ring.
     * Otherwise the head is written alone (or queued, the ring being full) and the body follows in chunks.
     *
     * @return {@link #BODY_INLINE} when head and body were written as one record (the body is consumed),
     * {@link #HEAD_WRITTEN} when the head was written alone, {@link #HEAD_QUEUED} when it waits for room.
     */
    private int publishAwaitedHead(final SharedMemoryRequest request, final ByteBuf content, final boolean last)
    {
        final UnsafeBuffer head = request.pendingHead();
        final int headLength = request.pendingHeadLength();
        final int bodyLength = content.readableBytes();
        if (last && inlineBodies && pendingHeads.isEmpty() &&
            bodyLength == head.getLong(RequestHeadEncoder.CONTENT_LENGTH_OFFSET))
        {
            final int index = claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, headLength + bodyLength);
            if (index > 0)
            {
                try
                {
                    final MutableDirectBuffer buffer = ringBuffer;
                    buffer.putBytes(index, head, 0, headLength);
                    // keeps the other flags (the listener field count)
                    buffer.putShort(
                        index + RequestHeadEncoder.FLAGS_OFFSET,
                        (short)(head.getShort(RequestHeadEncoder.FLAGS_OFFSET) | RequestHeadEncoder.INLINE_BODY_FLAG));
                    ByteBufViews.wrap(contentView, content, bodyLength);
                    buffer.putBytes(index + headLength, contentView, 0, bodyLength);
                    content.skipBytes(bodyLength);
                    request.headCommitted(requestProducer.commit(index));
                }
                finally
                {
                    requestProducer.abortOpenClaim();
                }
                ringWorker();
                return BODY_INLINE;
            }
        }
        if (pendingHeads.isEmpty())
        {
            final int index = claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, headLength);
            if (index > 0)
            {
                try
                {
                    ringBuffer.putBytes(index, head, 0, headLength);
                    request.headCommitted(requestProducer.commit(index));
                }
                finally
                {
                    requestProducer.abortOpenClaim();
                }
                ringWorker();
                return HEAD_WRITTEN;
            }
        }
        request.headQueued();
        pendingHeads.addLast(request);
        scheduleRetry();
        return HEAD_QUEUED;
    }

    void tellAbort(final SharedMemoryRequest request)
    {
        if (request.isBodyAwaited())
        {
            // the worker never saw it
            return;
        }
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
                BodyChunkFlyweight.encode(ringBuffer, index, request.requestId(), 0, 0);
                requestProducer.commit(index);
                ringWorker();
            }
        }
    }

    void grant(final SharedMemoryRequest request, final int grant)
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
        if (creditQueue.offer(requestId, grant))
        {
            // ahead of the body chunks already in the request ring
            ringWorker();
            return true;
        }
        final int index = claimRequestRecord(
            MessageDescriptor.RESPONSE_CREDIT_MSG_TYPE_ID, MessageDescriptor.CHUNK_HEADER_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        BodyChunkFlyweight.encode(ringBuffer, index, requestId, 0, grant);
        requestProducer.commit(index);
        ringWorker();
        return true;
    }

    void clearPendingCredits()
    {
        SharedMemoryRequest request;
        while (null != (request = pendingCredits.pollFirst()))
        {
            request.grantWritten();
            request.credit.takePendingGrant();
        }
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
     * A body piece found no room in the request ring: the request waits in the queue of blocked bodies, and its
     * connection is told to offer it again ({@link #resumeBlockedBodies()}) rather than retrying on a timer of its own.
     */
    private void blockBody(final SharedMemoryRequest request)
    {
        if (!request.isBodyBlocked() && !closed)
        {
            if (blockedBodies.isEmpty())
            {
                retriesWithoutResume = 0;
            }
            request.bodyBlocked(true);
            blockedBodies.addLast(request);
            // no worker takes records before one attaches: the retries start then (workerAttached)
            if (link.isAttached())
            {
                scheduleRetry();
            }
        }
    }

    /**
     * A body piece still waiting for room is forgotten with its request.
     *
     * @param request the slot being released.
     */
    void dropBlockedBody(final SharedMemoryRequest request)
    {
        blockedBodies.remove(request);
    }

    /**
     * The worker may have taken records (its answers were just read): the grants waiting for room go first; then,
     * when no head or grant waits for room before them and half the request ring is free, the connections whose body
     * pieces it refused offer them again, oldest first, one for each half of the ring free; the others keep their
     * place for the next resume. One that still finds no room waits again, at the end of the queue.
     */
    void resumeBlockedBodies()
    {
        resumeBlockedBodies(false);
    }

    /**
     * @param retry true on the retry timer: after {@value #PATIENT_RETRIES} of them without a resume, room for one
     *              whole chunk is enough to resume the oldest.
     */
    private void resumeBlockedBodies(final boolean retry)
    {
        if (blockedBodies.isEmpty() || closed || resuming || !pendingHeads.isEmpty() || !writePendingCredits())
        {
            return;
        }
        final int free = requestProducer.freeRoom();
        final int resumes;
        if (free >= resumeRoom)
        {
            resumes = free / resumeRoom;
        }
        else if (retry && ++retriesWithoutResume >= PATIENT_RETRIES && free >= chunkRoom)
        {
            resumes = 1;
        }
        else
        {
            return;
        }
        retriesWithoutResume = 0;
        for (int i = Math.min(resumes, blockedBodies.size()); i > 0; i--)
        {
            final SharedMemoryRequest request = blockedBodies.pollFirst();
            request.bodyBlocked(false);
            final ClientExchange exchange = request.exchange();
            if (null != exchange)
            {
                exchange.resumeBody();
            }
        }
        // the connections offer their pieces in tasks of this event loop: until those have run, the room seen now is
        // theirs, and another batch of answers read meanwhile resumes no one else into it
        resuming = true;
        link.eventLoop().execute(resumedTask);
    }

    private void resumesOffered()
    {
        resuming = false;
    }

    /**
     * Write the grants waiting for room, oldest first, as far as they fit: credit goes before anything else, as it
     * lets the worker finish answers, which frees room in both rings.
     *
     * @return true when none waits any more.
     */
    private boolean writePendingCredits()
    {
        SharedMemoryRequest request;
        while (null != (request = pendingCredits.peekFirst()))
        {
            if (!writeCredit(request.requestId(), request.credit.pendingGrant()))
            {
                return false;
            }
            request.credit.takePendingGrant();
            request.grantWritten();
            pendingCredits.pollFirst();
        }
        return true;
    }

    private void retryPending()
    {
        retryScheduled = false;
        if (closed)
        {
            return;
        }
        writePendingCredits();
        SharedMemoryRequest request;
        boolean wrote = false;
        while (null != (request = pendingHeads.peekFirst()))
        {
            final int length = request.pendingHeadLength();
            final int index = claimRequestRecord(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
            if (index <= 0)
            {
                break;
            }
            ringBuffer.putBytes(index, request.pendingHead(), 0, length);
            request.headCommitted(requestProducer.commit(index));
            pendingHeads.pollFirst();
            wrote = true;
        }
        if (wrote)
        {
            ringWorker();
        }
        resumeBlockedBodies(true);
        // heads and bodies wait for a worker to take records: with none attached, for the next one to attach
        // (workerAttached), not on this timer firing on for nothing (grants go with their worker: clearPendingCredits)
        if (!pendingCredits.isEmpty() || link.isAttached() && (!pendingHeads.isEmpty() || !blockedBodies.isEmpty()))
        {
            scheduleRetry();
        }
    }

    private void scheduleRetry()
    {
        if (!retryScheduled)
        {
            retryScheduled = true;
            link.eventLoop().schedule(retryPending, PENDING_RETRY_NS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Wake the worker, if it sleeps, once at the end of this event-loop turn rather than per message: requests
     * committed in one turn reach a sleeping worker with one doorbell, and a worker sharing this core is not
     * scheduled in between them.
     */
    void ringWorker()
    {
        // no worker attached: it looks at its ring when it attaches
        if (!wakeScheduled && link.isAttached())
        {
            wakeScheduled = true;
            link.eventLoop().execute(wakeTask);
        }
    }

    private void wakeWorkerNow()
    {
        wakeScheduled = false;
        if (closed)
        {
            return;
        }
        final Channel channel = link.doorbell();
        // before ringing: a worker woken onto this CPU may answer before this thread goes on, and must see it awake
        final boolean look = link.startPoll();
        if (null != channel && wakeUp.shouldWake())
        {
            try
            {
                if (wakeByPipe)
                {
                    // the worker sleeps on its wake pipe: a pipe's byte costs both sides less than a socket's
                    link.wakePipe().wake(wakeUp.wakeByte());
                }
                else
                {
                    ((UnixChannel)channel).fd().write(wakeUp.wakeByte(), 0, 1);
                }
            }
            catch (final IOException ex)
            {
                // the worker is gone; its exit is handled when the process is reaped
            }
        }
        if (look)
        {
            link.pollNow();
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
            if (link.isAttached())
            {
                link.failWorker(requestProducer.violation());
            }
            return RingBuffer.INSUFFICIENT_CAPACITY;
        }
        return index;
    }
}
