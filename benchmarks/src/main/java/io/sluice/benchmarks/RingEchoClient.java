package io.sluice.benchmarks;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The listener's half of the echo exchange that {@link RingRoundTripBenchmark} measures: encodes requests straight
 * into claimed request-ring records, then busy-spins on the response ring and checks every response (request id,
 * status, length, and the request id the client stamped into both ends of the body). The worker's half is
 * {@link EchoMessages}.
 * <p>
 * A burst of n requests is sent as far as the request ring takes it; while it is full, responses are drained, which
 * is what frees the echo to go on. Responses must come back in request order (one echo consumer).
 * <p>
 * Threading: one thread, the response ring's only consumer. Allocates nothing per request.
 */
final class RingEchoClient implements ControlledMessageHandler
{
    /**
     * How long a burst may wait for its responses before the peer counts as broken.
     */
    static final long RESPONSE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private static final int READ_LIMIT = 64;
    private static final int SPINS_BETWEEN_CHECKS = 1 << 16;
    private static final long NOT_STARTED = 0;

    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final BooleanSupplier peerAlive;
    private final int payloadLength;
    private final String contentLengthValue;
    private final int headLength;
    private final UnsafeBuffer payload;
    private final RequestHeadEncoder headEncoder = new RequestHeadEncoder();
    private final ResponseHeadDecoder responseDecoder = new ResponseHeadDecoder();
    private final HeaderCursor headerCursor = new HeaderCursor();
    private long nextRequestId = 1;
    private long nextResponseId = 1;
    private boolean bodyPending;

    /**
     * @param requestRing   written by this client; null for {@link #roundTripWithoutRing} only.
     * @param responseRing  read by this client, its only consumer; null with a null requestRing.
     * @param payloadLength body length of every request, at least 16 bytes.
     * @param peerAlive     false once the echo can no longer answer; asked while waiting.
     */
    RingEchoClient(
        final ManyToOneRingBuffer requestRing,
        final ManyToOneRingBuffer responseRing,
        final int payloadLength,
        final BooleanSupplier peerAlive)
    {
        if (payloadLength < 2 * Long.BYTES)
        {
            throw new IllegalArgumentException("payloadLength must be at least 16: payloadLength=" + payloadLength);
        }
        if (null != requestRing &&
            (BodyChunkFlyweight.length(payloadLength) > requestRing.maxMsgLength() ||
            EchoMessages.responseLength(payloadLength) > responseRing.maxMsgLength()))
        {
            throw new IllegalArgumentException("payloadLength must fit one ring message: payloadLength=" +
                payloadLength + ", maxMsgLength=" + requestRing.maxMsgLength());
        }
        this.requestRing = requestRing;
        this.responseRing = responseRing;
        this.peerAlive = peerAlive;
        this.payloadLength = payloadLength;
        this.contentLengthValue = Integer.toString(payloadLength);
        int headersLength = MessageDescriptor.headerEntryLength(
            EchoMessages.REQUEST_HEADER_NAMES[EchoMessages.REQUEST_HEADER_VALUES.length].length(),
            contentLengthValue.length());
        for (int i = 0; i < EchoMessages.REQUEST_HEADER_VALUES.length; i++)
        {
            headersLength += MessageDescriptor.headerEntryLength(
                EchoMessages.REQUEST_HEADER_NAMES[i].length(), EchoMessages.REQUEST_HEADER_VALUES[i].length());
        }
        this.headLength = RequestHeadEncoder.length(
            EchoMessages.METHOD.length(), EchoMessages.TARGET.length(), EchoMessages.REMOTE_ADDRESS.length(),
            headersLength);
        this.payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(payloadLength, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)('a' + i % 26));
        }
    }

    /**
     * Send a burst of requests over the rings and wait for all their responses, checking each.
     *
     * @param burstLength requests in the burst.
     * @return the id of the last request answered.
     * @throws IllegalStateException when a response is wrong, or none came within {@link #RESPONSE_TIMEOUT_NS}.
     */
    long roundTrip(final int burstLength)
    {
        final long lastRequestId = nextRequestId + burstLength - 1;
        long waitStartNs = NOT_STARTED;
        int spins = 0;
        while (nextResponseId <= lastRequestId)
        {
            if (nextRequestId <= lastRequestId && trySend())
            {
                continue;
            }
            if (responseRing.controlledRead(this, READ_LIMIT) > 0)
            {
                spins = 0;
                waitStartNs = NOT_STARTED;
                continue;
            }
            Thread.onSpinWait();
            if (++spins == SPINS_BETWEEN_CHECKS)
            {
                spins = 0;
                waitStartNs = checkPeer(waitStartNs);
            }
        }
        return lastRequestId;
    }

    /**
     * The baseline: the same encoding, echo and checks as {@link #roundTrip(int)}, in plain buffers on the calling
     * thread, without a ring.
     *
     * @param echo        the worker's half of the exchange.
     * @param requestArea to encode the request into; holds a head and a body message.
     * @param responseArea to encode the response into.
     * @return the id of the request answered.
     */
    long roundTripWithoutRing(
        final LocalEcho echo, final MutableDirectBuffer requestArea, final MutableDirectBuffer responseArea)
    {
        final long requestId = nextRequestId++;
        final int bodyIndex = BitUtil.align(headLength, Long.BYTES);
        encodeHead(requestArea, 0, requestId);
        encodeBody(requestArea, bodyIndex, requestId);
        echo.answer(requestArea, 0, bodyIndex, responseArea);
        checkResponse(responseArea, 0);
        return requestId;
    }

    /**
     * @return the length of a request head record.
     */
    int headLength()
    {
        return headLength;
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId != MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
        {
            throw new IllegalStateException("unexpected message type: msgTypeId=" + msgTypeId);
        }
        checkResponse(buffer, index);
        return Action.COMMIT;
    }

    private boolean trySend()
    {
        if (!bodyPending)
        {
            final int headIndex = requestRing.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, headLength);
            if (headIndex == RingBuffer.INSUFFICIENT_CAPACITY)
            {
                return false;
            }
            encodeHead(requestRing.buffer(), headIndex, nextRequestId);
            requestRing.commit(headIndex);
            bodyPending = true;
        }

        final int bodyIndex = requestRing.tryClaim(
            MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(payloadLength));
        if (bodyIndex == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        encodeBody(requestRing.buffer(), bodyIndex, nextRequestId);
        requestRing.commit(bodyIndex);
        bodyPending = false;
        nextRequestId++;
        return true;
    }

    private void encodeHead(final MutableDirectBuffer buffer, final int index, final long requestId)
    {
        headEncoder.wrap(buffer, index)
            .requestId(requestId)
            .contentLength(payloadLength)
            .remotePort(EchoMessages.REMOTE_PORT)
            .method(EchoMessages.METHOD)
            .target(EchoMessages.TARGET)
            .remoteAddress(EchoMessages.REMOTE_ADDRESS);
        for (int i = 0; i < EchoMessages.REQUEST_HEADER_VALUES.length; i++)
        {
            headEncoder.header(EchoMessages.REQUEST_HEADER_NAMES[i], EchoMessages.REQUEST_HEADER_VALUES[i]);
        }
        headEncoder.header(
            EchoMessages.REQUEST_HEADER_NAMES[EchoMessages.REQUEST_HEADER_VALUES.length], contentLengthValue);
    }

    private void encodeBody(final MutableDirectBuffer buffer, final int index, final long requestId)
    {
        BodyChunkFlyweight.encode(buffer, index, requestId, MessageDescriptor.LAST_FLAG, payloadLength);
        final int dataIndex = BodyChunkFlyweight.dataOffset(index);
        buffer.putBytes(dataIndex, payload, 0, payloadLength);
        buffer.putLong(dataIndex, requestId);
        buffer.putLong(dataIndex + payloadLength - Long.BYTES, requestId);
    }

    private void checkResponse(final DirectBuffer buffer, final int index)
    {
        final long requestId = nextResponseId;
        responseDecoder.wrap(buffer, index);
        headerCursor.reset(buffer, responseDecoder.headersOffset(), responseDecoder.headerCount());
        while (headerCursor.next())
        {
            // walk to the inline body, which follows the header entries
        }
        final int bodyIndex = headerCursor.end();
        if (responseDecoder.requestId() != requestId ||
            responseDecoder.status() != EchoMessages.STATUS_OK ||
            (responseDecoder.flags() & MessageDescriptor.LAST_FLAG) == 0 ||
            responseDecoder.contentLength() != payloadLength ||
            responseDecoder.bodyLength() != payloadLength ||
            buffer.getLong(bodyIndex) != requestId ||
            buffer.getLong(bodyIndex + payloadLength - Long.BYTES) != requestId)
        {
            throw new IllegalStateException("wrong echo response: expected requestId=" + requestId +
                " status=200 bodyLength=" + payloadLength + ", got requestId=" + responseDecoder.requestId() +
                " status=" + responseDecoder.status() + " bodyLength=" + responseDecoder.bodyLength());
        }
        nextResponseId++;
    }

    private long checkPeer(final long waitStartNs)
    {
        if (!peerAlive.getAsBoolean())
        {
            throw new IllegalStateException("echo peer is gone: waiting for requestId=" + nextResponseId);
        }
        final long nowNs = System.nanoTime();
        if (waitStartNs == NOT_STARTED)
        {
            return nowNs;
        }
        if (nowNs - waitStartNs > RESPONSE_TIMEOUT_NS)
        {
            throw new IllegalStateException("no echo response within " +
                TimeUnit.NANOSECONDS.toSeconds(RESPONSE_TIMEOUT_NS) + " s: waiting for requestId=" + nextResponseId);
        }
        return waitStartNs;
    }

    /**
     * The worker's half of the baseline: {@link EchoMessages} applied to plain buffers on the calling thread.
     */
    static final class LocalEcho
    {
        private final RequestHeadDecoder headDecoder = new RequestHeadDecoder();
        private final HeaderCursor headerCursor = new HeaderCursor();
        private final ResponseHeadEncoder responseEncoder = new ResponseHeadEncoder();

        /**
         * Answer one request whose head and body messages lie in one buffer.
         *
         * @param request   holding both messages.
         * @param headIndex of the head message.
         * @param bodyIndex of the body message.
         * @param response  to write the response record to, at index 0.
         */
        void answer(
            final DirectBuffer request, final int headIndex, final int bodyIndex, final MutableDirectBuffer response)
        {
            final long requestId = headDecoder.wrap(request, headIndex).requestId();
            final long contentLength = EchoMessages.readRequestHead(headDecoder, headerCursor, request, headIndex);
            final int chunkLength = BodyChunkFlyweight.chunkLength(request, bodyIndex);
            final boolean ok = BodyChunkFlyweight.requestId(request, bodyIndex) == requestId &&
                chunkLength == contentLength &&
                (BodyChunkFlyweight.flags(request, bodyIndex) & MessageDescriptor.LAST_FLAG) != 0;
            EchoMessages.encodeResponse(
                responseEncoder, response, 0, requestId, ok ? EchoMessages.STATUS_OK : EchoMessages.STATUS_BAD_REQUEST,
                request, BodyChunkFlyweight.dataOffset(bodyIndex), ok ? chunkLength : 0);
        }
    }
}
