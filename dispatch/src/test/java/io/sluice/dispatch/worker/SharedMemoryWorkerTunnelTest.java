package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tunnel flow control in the worker SDK, its duty cycle driven by hand over a real ring file: after a {@code 101}
 * the client's bytes arrive as body chunks, and the exchange grants back what its handler took as
 * {@code TUNNEL_CREDIT}, half a window at a time, and only while its response side may go on.
 */
@Timeout(5)
class SharedMemoryWorkerTunnelTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 8 * 1024;
    private static final String KIB = "k".repeat(1024);

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private ManyToOneRingBuffer listenerResponses;
    private SharedMemoryWorker worker;
    private boolean echo;
    private int taken;

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        listenerResponses = rings.responses;
        final Handler handler = new Handler()
        {
            public void onRequest(final Exchange exchange)
            {
                exchange.sendHead("GET".equals(exchange.method()) ? 101 : 200, null, Exchange.UNKNOWN_LENGTH);
            }

            public void onBody(
                final Exchange exchange, final DirectBuffer buffer, final int offset, final int length,
                final boolean last)
            {
                taken += length;
                if (echo)
                {
                    exchange.sendBody(buffer, offset, length, last);
                }
            }
        };
        worker = new SharedMemoryWorker(
            handler, rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null, 0, WINDOW);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldGrantTunnelBytesTakenOnceHalfAWindowGathered()
    {
        rings.writeUpgradeHead(1, "/ws");
        worker.doWork();
        assertEquals(List.of("head 1 101"), readResponses());

        for (int i = 0; i < 3; i++)
        {
            rings.writeBody(1, KIB, false);
        }
        worker.doWork();
        assertEquals(List.of(), readResponses(), "3 KiB taken: less than half a window");

        rings.writeBody(1, KIB, false);
        rings.writeBody(1, KIB, false);
        worker.doWork();
        assertEquals(List.of("tunnel-credit 1 4096"), readResponses());
        assertEquals(5 * 1024, taken);
    }

    @Test
    void shouldWithholdTunnelCreditWhileTheResponseWindowIsFull()
    {
        echo = true;
        rings.writeUpgradeHead(2, "/ws");
        worker.doWork();
        readResponses();

        for (int i = 0; i < 12; i++)
        {
            rings.writeBody(2, KIB, false);
        }
        worker.doWork();
        // 4 KiB taken and echoed: granted; 8 KiB echoed fills the window: the next 4 KiB taken are held back
        assertEquals(List.of("body 2 4096", "tunnel-credit 2 4096", "body 2 4096"), readResponses());

        rings.writeCredit(2, WINDOW);
        worker.doWork();
        assertEquals(List.of("body 2 4096", "tunnel-credit 2 8192"), readResponses());
    }

    @Test
    void shouldGrantNothingForAnOrdinaryRequestBody()
    {
        rings.writeHead(3, "POST", "/upload", MessageDescriptor.UNKNOWN_LENGTH, System.nanoTime());
        for (int i = 0; i < 12; i++)
        {
            rings.writeBody(3, KIB, false);
        }
        worker.doWork();
        worker.doWork();

        assertEquals(List.of("head 3 200"), readResponses());
        assertEquals(12 * 1024, taken);
    }

    @Test
    void shouldAnswer502ItselfWhenTheHandlerSwitchesProtocolsUnasked()
    {
        // the test handler answers 101 to every GET; this one has no Upgrade field
        rings.writeHead(4, "GET", "/plain", 0, System.nanoTime());
        rings.writeBody(4, KIB, false);
        worker.doWork();
        worker.doWork();

        assertEquals(List.of("head 4 502"), readResponses(), "no tunnel, no credit: the worker is not failed for it");
    }

    /**
     * Drain the response ring: heads, body bytes (consecutive chunks summed) and tunnel credit, in order.
     */
    private List<String> readResponses()
    {
        final List<String> records = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        listenerResponses.read(
            (msgTypeId, buffer, index, length) ->
            {
                final long requestId = BodyChunkFlyweight.requestId(buffer, index);
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    decoder.wrap(buffer, index);
                    records.add("head " + decoder.requestId() + " " + decoder.status());
                }
                else if (msgTypeId == MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID)
                {
                    final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
                    final int last = records.size() - 1;
                    if (last >= 0 && records.get(last).startsWith("body " + requestId + " "))
                    {
                        final int sum = Integer.parseInt(records.get(last).substring(("body " + requestId + " ")
                            .length()));
                        records.set(last, "body " + requestId + " " + (sum + chunkLength));
                    }
                    else
                    {
                        records.add("body " + requestId + " " + chunkLength);
                    }
                }
                else if (msgTypeId == MessageDescriptor.TUNNEL_CREDIT_MSG_TYPE_ID)
                {
                    records.add("tunnel-credit " + requestId + " " + BodyChunkFlyweight.chunkLength(buffer, index));
                }
            },
            1000);
        return records;
    }
}
