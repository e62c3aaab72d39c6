package io.sluice.listener;

import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static io.sluice.listener.RawRingWorker.HEAD_VARIABLE_OFFSET;
import static io.sluice.listener.RawRingWorker.LAST;
import static io.sluice.listener.RawRingWorker.RESPONSE_HEAD;

/**
 * A shared-memory worker written from docs/shared-memory-protocol.md alone, as one in another language would be, that
 * breaks one rule: it answers every request at once (200, {@value #BODY}, complete in its {@code RESPONSE_HEAD}) and
 * never rings the listener's doorbell. Its answers reach the clients only because the listener also drains the
 * response ring on its timer. Started as a queue's worker {@code command}; it attaches and polls its request ring
 * every millisecond through {@link RawRingWorker} and exits at end-of-file on standard input.
 */
public final class SilentWorker
{
    static final String BODY = "silent";

    private SilentWorker()
    {
    }

    /**
     * @param args none.
     * @throws IOException when the ring file or the doorbell cannot be opened.
     */
    public static void main(final String[] args) throws IOException
    {
        final RawRingWorker ring = RawRingWorker.attach();
        final ManyToOneRingBuffer responses = ring.responseRing();
        final byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
        while (true)
        {
            ring.awaitRequest();
            int index;
            while ((index = responses.tryClaim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET + body.length)) <= 0)
            {
                RawRingWorker.pause();
            }
            ring.putHead(index, ring.requestId(), body.length, 200, LAST, 0, body.length);
            ring.responseBuffer().putBytes(index + HEAD_VARIABLE_OFFSET, body);
            responses.commit(index);
            // and no wake-up check: the listener's flag is never read, its doorbell never rung (not even when full)
        }
    }
}
