package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request direction of a tunnel, driven directly over a real ring file (no worker): the link writes at most the
 * window of a tunnel's client bytes beyond the worker's grants, and refuses the rest (the connection then stops
 * reading) until a grant comes; an ordinary body is not held to it.
 */
@Timeout(20)
class SharedMemoryLinkTunnelTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 1024;
    private static final int SLOT = 3;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer consumer;
    private EmbeddedChannel loopChannel;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private final StringBuilder chunks = new StringBuilder();

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "tunnel", CAPACITY, WINDOW, SLOT);
        consumer = ringFile.consumer;
        loopChannel = ringFile.loopChannel;
        link = ringFile.link;
        request = ringFile.request;
    }

    @AfterEach
    void after()
    {
        ringFile.close();
    }

    @Test
    void shouldWriteNoMoreThanTheWindowOfATunnelBeforeTheWorkerGrantsMore()
    {
        request.tunnel.open(WINDOW);
        final ByteBuf content = Unpooled.buffer().writeZero(3 * WINDOW);
        try
        {
            assertFalse(link.offerBody(request, content, false), "refused past the window");
            assertEquals(WINDOW + " ", drainChunks());
            assertEquals(2 * WINDOW, content.readableBytes(), "the rest is kept by the connection");

            assertFalse(link.offerBody(request, content, false), "no grant: nothing more");
            assertEquals("", drainChunks());

            assertTrue(request.tunnel.grant(WINDOW / 2));
            assertFalse(link.offerBody(request, content, false));
            assertEquals(WINDOW / 2 + " ", drainChunks());

            assertTrue(request.tunnel.grant(4 * WINDOW));
            assertTrue(link.offerBody(request, content, false));
            assertEquals(3 * WINDOW / 2 + " ", drainChunks());
            assertEquals(3L * WINDOW, request.tunnel.sent());
        }
        finally
        {
            content.release();
        }
    }

    @Test
    void shouldWriteTheClientsEndOfInputWhenTheTunnelIsOutOfCredit()
    {
        request.tunnel.open(WINDOW);
        final ByteBuf content = Unpooled.buffer().writeZero(WINDOW);
        try
        {
            assertTrue(link.offerBody(request, content, false));
            assertTrue(link.offerBody(request, Unpooled.EMPTY_BUFFER, true), "an empty last chunk needs no credit");
            assertEquals(WINDOW + "last ", drainChunks());
        }
        finally
        {
            content.release();
        }
    }

    @Test
    void shouldNotHoldAnOrdinaryBodyToTheWindow()
    {
        final ByteBuf content = Unpooled.buffer().writeZero(3 * WINDOW);
        try
        {
            assertTrue(link.offerBody(request, content, true));
            assertEquals(3 * WINDOW + "last ", drainChunks());
            assertFalse(request.tunnel.grant(WINDOW), "a grant for a request that is not a tunnel is refused");
        }
        finally
        {
            content.release();
        }
    }

    /**
     * @return the body bytes in the request ring as text: their count ("1024 "), or, up to a last chunk, their count
     * and "last" ("1024last ").
     */
    private String drainChunks()
    {
        final int[] sum = new int[1];
        chunks.setLength(0);
        consumer.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID)
                {
                    sum[0] += BodyChunkFlyweight.chunkLength(buffer, index);
                    if ((BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0)
                    {
                        chunks.append(sum[0]).append("last ");
                        sum[0] = 0;
                    }
                }
            },
            1000);
        if (sum[0] > 0)
        {
            chunks.append(sum[0]).append(' ');
        }
        return chunks.toString();
    }
}
