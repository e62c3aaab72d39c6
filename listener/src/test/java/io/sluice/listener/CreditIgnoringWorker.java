package io.sluice.listener;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;

import static io.sluice.listener.RawRingWorker.CHUNK_DATA_OFFSET;
import static io.sluice.listener.RawRingWorker.HEAD_VARIABLE_OFFSET;
import static io.sluice.listener.RawRingWorker.LAST;
import static io.sluice.listener.RawRingWorker.RESPONSE_BODY;
import static io.sluice.listener.RawRingWorker.RESPONSE_HEAD;

/**
 * A shared-memory worker written from {@code docs/shared-memory-protocol.md} alone (raw stores at the documented
 * offsets, Agrona's ring as the document specifies it, none of the SDK's classes) that ignores response credit: for a
 * target ending in {@code /greedy} it sends a {@value #GREEDY_LENGTH}-byte body in {@value #CHUNK_LENGTH}-byte chunks
 * at once, whatever {@code SLUICE_RESPONSE_WINDOW} says and without reading a {@code RESPONSE_CREDIT}. Any other
 * target gets a complete {@code 200} whose body is the worker's PID. It attaches and polls its request ring through
 * {@link RawRingWorker} (its sleeping flag stays 0, so the listener never needs to wake it) and exits on end-of-file
 * on its standard input.
 */
public final class CreditIgnoringWorker
{
    /**
     * Length of the {@code /greedy} body: {@value}.
     */
    public static final int GREEDY_LENGTH = 1024 * 1024;

    /**
     * Length of each {@code /greedy} body chunk: {@value}.
     */
    public static final int CHUNK_LENGTH = 32 * 1024;

    private final RawRingWorker ring;
    private final byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);

    private CreditIgnoringWorker(final RawRingWorker ring)
    {
        this.ring = ring;
    }

    /**
     * Attach to the listener named by the environment and serve until standard input ends.
     *
     * @param args unused.
     * @throws Exception when attaching fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final CreditIgnoringWorker worker = new CreditIgnoringWorker(RawRingWorker.attach());
        while (true)
        {
            // a head is taken off the ring before its work starts; credit (type 4) is read and ignored
            worker.ring.awaitRequest();
            worker.answer(worker.ring.requestId(), worker.ring.target());
        }
    }

    private void answer(final long requestId, final String target)
    {
        if (!target.endsWith("/greedy"))
        {
            head(requestId, pid.length, LAST, pid);
            return;
        }
        head(requestId, GREEDY_LENGTH, 0, new byte[0]);
        for (int sent = 0; sent < GREEDY_LENGTH; sent += CHUNK_LENGTH)
        {
            final int flags = sent + CHUNK_LENGTH == GREEDY_LENGTH ? LAST : 0;
            final int index = ring.claim(RESPONSE_BODY, CHUNK_DATA_OFFSET + CHUNK_LENGTH);
            ring.putChunk(index, requestId, flags, CHUNK_LENGTH);
            ring.responseBuffer().setMemory(index + CHUNK_DATA_OFFSET, CHUNK_LENGTH, (byte)'x');
            ring.commit(index);
        }
    }

    private void head(final long requestId, final long contentLength, final int flags, final byte[] body)
    {
        final int index = ring.claim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET + body.length);
        ring.putHead(index, requestId, contentLength, 200, flags, 0, body.length);
        final AtomicBuffer buffer = ring.responseBuffer();
        buffer.putBytes(index + HEAD_VARIABLE_OFFSET, body);
        ring.commit(index);
    }
}
