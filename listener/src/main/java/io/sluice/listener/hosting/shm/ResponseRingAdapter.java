package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.dispatch.worker.HandlerInvoker;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.Arrays;
import java.util.logging.Logger;

/**
 * Reads one worker's response ring and hands each answer to its request's exchange: the listener's consumer of the
 * ring, as Agrona's {@code ManyToOneRingBuffer.read} but trusting nothing the worker wrote.
 * <p>
 * Every length (record, header count and entries, inline body, chunk) must lie within the record that holds it; a
 * record that breaks the layout, or the protocol (an unknown message type, a body before its head, a second head, a
 * body past its credit, a {@code 101} to a request that did not ask to upgrade, tunnel credit for a request that is not
 * a tunnel), fails the worker ({@link SharedMemoryLink#failWorker(String)}), and the request it names is
 * answered 502 at once. A response that is well formed but not valid HTTP (a status that is not final, a header name
 * that is not a token, a value with CR, LF or NUL) is answered 502 in the worker's place, and the worker keeps
 * serving. A request's slot is freed only once its answer path has run, so a throw midway leaves it in flight, to be
 * settled, never orphaned. The ring's head position is the listener's own copy: the worker maps the trailer
 * read-write, and only the consumer writes the head.
 * <p>
 * Zeroing: a worker that zeroes its response ring ahead
 * ({@link io.sluice.dispatch.shm.WorkerFileDescriptor#FEATURE_RESPONSE_RING_ZEROED_AHEAD}, read when it attaches)
 * leaves the free part of the ring starting with a zero header, so the listener zeroes only the 8-byte header of each
 * record it takes (padding included), lowest address first, before it stores the head; the messages stay. Any other
 * worker's records are zeroed whole, as Agrona's consumer does. A worker that announces the feature and does not
 * zero ahead can only leave old bytes where its next header belongs, past its tail position: a record read there
 * ends past the tail, which fails that worker before a byte of it is used.
 * <p>
 * Credit: a response whose chunks put half a window outstanding is watched at the end of the read, not at the chunk
 * that crossed the half window, so that the grant that follows once the socket took them covers every chunk the read
 * handed on (up to the whole window, not half of it): a response streamed past its window gets fewer, larger grants.
 * <p>
 * Threading: confined to the host's event loop.
 */
final class ResponseRingAdapter
{
    private static final Logger LOG = Logger.getLogger(ResponseRingAdapter.class.getName());

    private final SharedMemoryLink link;
    private final LoopLanes host;
    private final RequestSlots slots;
    private final RequestRingPublisher publisher;
    private final AtomicBuffer buffer;
    private final int responseCapacity;
    private final int responseHeadPositionIndex;
    private final int responseTailPositionIndex;
    private final ResponseHeadDecoder responseDecoder = new ResponseHeadDecoder();
    private final HeaderCursor headerCursor = new HeaderCursor();
    private final UnsafeBuffer headView = new UnsafeBuffer(0, 0);
    private SharedMemoryRequest[] watchAfterRead = new SharedMemoryRequest[16];
    private int[] watchGenerations = new int[16];
    private int watchCount;
    private long responseHead;
    private long knownTail;
    private boolean zeroHeadersOnly;

    /**
     * @param link       the worker's link, failed for a record that breaks the protocol.
     * @param host       the host, which accounts response bytes; null in tests of a link alone.
     * @param slots      the queue's request slots, where request ids are looked up; null in tests of a link alone.
     * @param publisher  the writer of the worker's request ring, which tells the worker of requests abandoned.
     * @param buffer     the response ring's buffer.
     */
    ResponseRingAdapter(
        final SharedMemoryLink link,
        final LoopLanes host,
        final RequestSlots slots,
        final RequestRingPublisher publisher,
        final AtomicBuffer buffer)
    {
        this.link = link;
        this.host = host;
        this.slots = slots;
        this.publisher = publisher;
        this.buffer = buffer;
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(buffer);
        this.responseCapacity = ring.capacity();
        this.responseHeadPositionIndex = responseCapacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.responseTailPositionIndex = responseCapacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.responseHead = ring.consumerPosition();
    }

    /**
     * @return the listener's copy of the ring's head position: what it has read.
     */
    long position()
    {
        return responseHead;
    }

    /**
     * A worker attached: zero only the headers of the records taken when it zeroes the ring ahead.
     *
     * @param workerFeatures the worker's features.
     */
    void workerAttached(final int workerFeatures)
    {
        zeroHeadersOnly = (workerFeatures & WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD) != 0;
    }

    /**
     * The ring's only producer is gone: clear the ring, so a bad record left in it never fails the replacement, and
     * zero whole what is taken until a replacement announces otherwise.
     */
    void reset()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        responseHead = 0;
        knownTail = 0;
        zeroHeadersOnly = false;
    }

    /**
     * Read up to {@code limit} records off the response ring, as Agrona's {@code ManyToOneRingBuffer.read} does (zero
     * what was read, then move the head position), but checking each record's length against the space left before
     * the end of the ring first: a length written by the worker is never used to read, zero or move past the ring.
     * For a worker that zeroes the ring ahead, each record's header is zeroed as the record is taken (its length read,
     * checked, and its type read), and its message is left.
     *
     * @return the number of messages read (padding is skipped, not counted).
     */
    int read(final int limit)
    {
        final AtomicBuffer buffer = this.buffer;
        final boolean zeroHeadersOnly = this.zeroHeadersOnly;
        // the listener's own copy: the worker maps the trailer read-write, and only the consumer writes the head
        final long head = responseHead;
        final int headIndex = (int)head & (responseCapacity - 1);
        final int maxBlockLength = responseCapacity - headIndex;
        int bytesRead = 0;
        int messages = 0;
        try
        {
            while (bytesRead < maxBlockLength && messages < limit && !link.isFailed())
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break;
                }
                if (recordLength < RecordDescriptor.HEADER_LENGTH || recordLength > maxBlockLength - bytesRead)
                {
                    link.failWorker("record length " + recordLength + " at ring offset " + recordIndex +
                        " does not fit the ring (" + (maxBlockLength - bytesRead) + " bytes to its end)");
                    break;
                }
                final int alignedLength = BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                if (zeroHeadersOnly && head + bytesRead + alignedLength > knownTail && !coveredByTail(
                    head + bytesRead + alignedLength, recordIndex))
                {
                    break;
                }
                bytesRead += alignedLength;
                final int msgTypeId = buffer.getInt(RecordDescriptor.typeOffset(recordIndex));
                if (zeroHeadersOnly)
                {
                    // taken: its header reads "nothing yet" from now on; the worker zeroes the rest ahead of itself
                    buffer.putLong(recordIndex, 0L);
                }
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
                if (!zeroHeadersOnly)
                {
                    buffer.setMemory(headIndex, bytesRead, (byte)0);
                }
                responseHead = head + bytesRead;
                buffer.putLongRelease(responseHeadPositionIndex, responseHead);
                // the worker answered, so it has taken records: body pieces waiting for room may fit now
                link.resumeBlockedBodies();
            }
            if (watchCount > 0)
            {
                watchDeferred();
            }
        }
        return messages;
    }

    /**
     * A worker that zeroes the ring ahead moves the tail past a record before it publishes it (padding included), so
     * a record whose length reads as published lies below the tail position: one that ends past it is old bytes of an
     * earlier lap where the worker did not zero the header at its tail, read as a record, and fails the worker before
     * a byte of it is used. The tail is read again only when a record ends past the one last read.
     *
     * @param recordEnd   the position just past the record.
     * @param recordIndex the record's index in the ring.
     * @return true when the record lies below the tail position.
     */
    private boolean coveredByTail(final long recordEnd, final int recordIndex)
    {
        // the worker's field, read only to judge it: the listener's head stays its own copy
        knownTail = buffer.getLongVolatile(responseTailPositionIndex);
        if (recordEnd <= knownTail)
        {
            return true;
        }
        link.failWorker("record at ring offset " + recordIndex + " ends at position " + recordEnd +
            ", past the tail position " + knownTail + ": old bytes read as a record (the header at the tail of a " +
            "ring zeroed ahead was not zeroed)");
        return false;
    }

    /**
     * End of a read: watch the responses whose chunks put half a window outstanding during it, at what they have
     * received by now; not those that ended or moved on meanwhile.
     */
    private void watchDeferred()
    {
        final int count = watchCount;
        watchCount = 0;
        for (int i = 0; i < count; i++)
        {
            final SharedMemoryRequest request = watchAfterRead[i];
            watchAfterRead[i] = null;
            if (request.generation() == watchGenerations[i] && request.credit.isWatchDeferred())
            {
                if (null != request.exchange() && !request.exchange().isDone() && !link.isFailed())
                {
                    link.watch(request);
                }
                else
                {
                    request.credit.dropDeferredWatch();
                }
            }
        }
    }

    private void deferWatch(final SharedMemoryRequest request)
    {
        if (watchCount == watchAfterRead.length)
        {
            watchAfterRead = Arrays.copyOf(watchAfterRead, watchCount * 2);
            watchGenerations = Arrays.copyOf(watchGenerations, watchCount * 2);
        }
        request.credit.deferWatch();
        watchAfterRead[watchCount] = request;
        watchGenerations[watchCount++] = request.generation();
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
        else if (msgTypeId == MessageDescriptor.TUNNEL_CREDIT_MSG_TYPE_ID)
        {
            onTunnelCredit(buffer, index, length);
        }
        else
        {
            link.failWorker("unknown message type " + msgTypeId + " in the response ring");
        }
    }

    private void onResponseHead(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < ResponseHeadEncoder.VARIABLE_OFFSET)
        {
            link.failWorker("RESPONSE_HEAD of " + length + " bytes, shorter than its fixed part");
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
        final SharedMemoryRequest request = slots.lookup(requestId, link);
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
        final boolean switching = MessageDescriptor.SWITCHING_PROTOCOLS_STATUS == status;
        if (switching && null != exchange && !exchange.isDone() && !exchange.isUpgradeRequested())
        {
            // a tunnel the client never asked for: the worker breaks the protocol
            failWorker(request, "101 for a request that did not ask to upgrade");
            return;
        }
        final boolean answer = null != exchange && !exchange.isDone() &&
            (ResponseHeads.isFinalStatus(status) || switching);
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
                        head, headView, buffer, headerCursor.nameOffset(), headerCursor.nameLength(),
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
                LOG.warning(() -> "worker " + link.slot + " sent a response with " + reason + "; answered 502");
                publisher.tellAbort(request);
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
        if (switching && !last && request.generation() == generation)
        {
            // the client's bytes now go to the worker as body chunks, a window at a time
            request.tunnel.open(request.credit.window());
        }
        answered(request, generation, last);
    }

    private void onResponseBody(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < MessageDescriptor.CHUNK_HEADER_LENGTH)
        {
            link.failWorker("RESPONSE_BODY of " + length + " bytes, shorter than its fixed part");
            return;
        }
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final boolean last = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
        final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
        final SharedMemoryRequest request = slots.lookup(requestId, link);
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
        host.responseBytes().received(chunkLength, request.credit.outstanding());
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
            deferWatch(request);
        }
    }

    /**
     * The worker took tunnel bytes of an upgraded request and lets the listener send as many more: the connection, if
     * it stopped reading for want of credit, offers the client's bytes again.
     */
    private void onTunnelCredit(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < MessageDescriptor.CHUNK_HEADER_LENGTH)
        {
            link.failWorker("TUNNEL_CREDIT of " + length + " bytes, shorter than its fixed part");
            return;
        }
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final int grantLength = BodyChunkFlyweight.chunkLength(buffer, index);
        final SharedMemoryRequest request = slots.lookup(requestId, link);
        if (grantLength <= 0)
        {
            failWorker(request, "TUNNEL_CREDIT of " + grantLength + " bytes");
            return;
        }
        if (null == request || null == request.exchange())
        {
            return;
        }
        if (!request.tunnel.grant(grantLength))
        {
            failWorker(request, "TUNNEL_CREDIT for a request that is not a tunnel");
            return;
        }
        request.exchange().resumeBody();
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
            link.abort(request);
            return false;
        }
        return true;
    }

    /**
     * Answer a request in the worker's place (502 or similar; its connection is closed if its head was sent), then
     * free its slot: freed last, so an answer path that throws leaves the request in flight to be settled.
     */
    void answer(final SharedMemoryRequest request, final int status, final String message)
    {
        answer(request, status, message, ErrorReason.ofStatus(status));
    }

    /**
     * Answer a request in the worker's place, naming why for the error log, then free its slot.
     *
     * @param request the request.
     * @param status  HTTP status.
     * @param message body text.
     * @param reason  why.
     */
    void answer(final SharedMemoryRequest request, final int status, final String message, final ErrorReason reason)
    {
        final int generation = request.generation();
        final ClientExchange exchange = request.exchange();
        // the listener answers: the exchange's abort of its sink must not write an abort for the worker
        request.answeredByListener();
        try
        {
            exchange.sendError(status, message, reason);
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
     * Fail the worker over a record for one request: that request is answered 502 at once (or its connection
     * closed, when its head was sent), not retried.
     */
    private void failWorker(final SharedMemoryRequest request, final String reason)
    {
        if (null != request && null != request.exchange())
        {
            answer(request, 502, "bad gateway: invalid response from the worker");
        }
        link.failWorker(reason);
    }

    private void finish(final SharedMemoryRequest request)
    {
        request.release();
    }
}
