package io.sluice.benchmarks;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The echo worker of {@link RingRoundTripBenchmark}: reads the request ring and answers each request in the response
 * ring with its own body (see {@link EchoMessages}), in the same thread, without allocating. Run it under an
 * {@link org.agrona.concurrent.AgentRunner} with a busy-spin idle strategy, in a thread of the benchmark's JVM or in
 * its own process ({@link RingEchoMain}).
 * <p>
 * It reads with {@code controlledRead} and {@code COMMIT} per message, as the product's worker does, and answers a
 * full response ring with {@code ABORT}: the body is delivered again on the next duty cycle, so a full ring is
 * back-pressure, never a lost response.
 * <p>
 * Unlike the product's worker, which parks on its doorbell when idle (so an idle worker costs no CPU), this agent
 * never sleeps: the benchmark measures the rings and the codec, not the wake-up.
 */
final class RingEchoAgent implements Agent, ControlledMessageHandler
{
    /**
     * Most messages read per duty cycle.
     */
    static final int READ_LIMIT = 64;

    private static final long NO_REQUEST = -1;

    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final RequestHeadDecoder headDecoder = new RequestHeadDecoder();
    private final HeaderCursor headerCursor = new HeaderCursor();
    private final ResponseHeadEncoder responseEncoder = new ResponseHeadEncoder();
    private long requestId = NO_REQUEST;
    private long contentLength;

    /**
     * @param requestRing  read by this agent, its only consumer.
     * @param responseRing written by this agent.
     */
    RingEchoAgent(final ManyToOneRingBuffer requestRing, final ManyToOneRingBuffer responseRing)
    {
        this.requestRing = requestRing;
        this.responseRing = responseRing;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        return requestRing.controlledRead(this, READ_LIMIT);
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-bench-ring-echo";
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID)
        {
            requestId = headDecoder.wrap(buffer, index).requestId();
            contentLength = EchoMessages.readRequestHead(headDecoder, headerCursor, buffer, index);
            if (contentLength == 0)
            {
                return respond(EchoMessages.STATUS_OK, buffer, index, 0);
            }
            if (contentLength == EchoMessages.MALFORMED)
            {
                return respond(EchoMessages.STATUS_BAD_REQUEST, buffer, index, 0);
            }
            return Action.COMMIT;
        }

        if (msgTypeId == MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID &&
            BodyChunkFlyweight.requestId(buffer, index) == requestId)
        {
            final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
            final boolean wholeBody = chunkLength == contentLength &&
                (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
            return wholeBody ?
                respond(EchoMessages.STATUS_OK, buffer, BodyChunkFlyweight.dataOffset(index), chunkLength) :
                respond(EchoMessages.STATUS_BAD_REQUEST, buffer, index, 0);
        }

        return Action.COMMIT;
    }

    private Action respond(final int status, final DirectBuffer body, final int bodyIndex, final int bodyLength)
    {
        final int index = responseRing.tryClaim(
            MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, EchoMessages.responseLength(bodyLength));
        if (index == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return Action.ABORT;
        }
        EchoMessages.encodeResponse(
            responseEncoder, responseRing.buffer(), index, requestId, status, body, bodyIndex, bodyLength);
        responseRing.commit(index);
        requestId = NO_REQUEST;
        return Action.COMMIT;
    }
}
