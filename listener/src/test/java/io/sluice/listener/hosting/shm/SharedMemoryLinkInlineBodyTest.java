package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inline request bodies ({@link RequestHeadEncoder#INLINE_BODY_FLAG}): a worker that announced
 * {@link WorkerFileDescriptor#FEATURE_INLINE_REQUEST_BODY} gets a small body that arrives whole in the same record as
 * its head; any other worker, a body that arrives in pieces, or one past {@link
 * RequestHeadEncoder#INLINE_MESSAGE_MAX_LENGTH}, gets the head and {@code REQUEST_BODY} chunks as before. The link is
 * built over a real ring file without a host; the test reads the ring as a worker does.
 */
@Timeout(5)
class SharedMemoryLinkInlineBodyTest
{
    private static final int CAPACITY = 1024 * 1024;
    private static final int SLOT = 4;

    @TempDir
    Path tempDir;

    private RingFile rings;
    private ManyToOneRingBuffer consumer;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private final List<ByteBuf> buffers = new ArrayList<>();

    @BeforeEach
    void before() throws IOException
    {
        rings = new RingFile(tempDir, CAPACITY);
        consumer = rings.requestRing;
        link = new SharedMemoryLink(null, 0, rings.listenerMapping);
        request = new SharedMemoryRequest(null, SLOT);
        request.begin(EncodingExchange.create());
    }

    @AfterEach
    void after()
    {
        for (final ByteBuf buffer : buffers)
        {
            buffer.release();
        }
        rings.close();
    }

    @Test
    void shouldWriteHeadAndWholeBodyAsOneRecordForAWorkerThatTakesInlineBodies()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        final byte[] body = pattern(4096);

        assertTrue(link.openRequest(request, post(), body.length));
        assertEquals(0, consumer.producerPosition(), "the head waits for its body");
        assertTrue(request.isBodyAwaited());
        final ByteBuf content = content(body);
        assertTrue(link.offerBody(request, content, true));

        assertFalse(content.isReadable());
        final List<Message> messages = drain();
        assertEquals(1, messages.size(), messages.toString());
        assertEquals(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, messages.get(0).type);
        assertEquals(RequestHeadEncoder.INLINE_BODY_FLAG, messages.get(0).flags);
        assertEquals(body.length, messages.get(0).contentLength);
        assertArrayEquals(body, messages.get(0).data);
        assertFalse(request.isBodyAwaited());
        assertEquals(0, request.headPosition(), "the record starts the ring");
    }

    @Test
    void shouldSendBodyInChunksToAWorkerThatDidNotAnnounceInlineBodies()
    {
        final byte[] body = pattern(100);

        assertTrue(link.openRequest(request, post(), body.length));
        assertFalse(request.isBodyAwaited());
        assertTrue(link.offerBody(request, content(body), true));

        final List<Message> messages = drain();
        assertEquals(2, messages.size(), messages.toString());
        assertEquals(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, messages.get(0).type);
        assertEquals(0, messages.get(0).flags);
        assertEquals(0, messages.get(0).data.length);
        assertEquals(MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, messages.get(1).type);
        assertEquals(MessageDescriptor.LAST_FLAG, messages.get(1).flags);
        assertArrayEquals(body, messages.get(1).data);
    }

    @Test
    void shouldSendNothingInlineOnceTheWorkerThatAnnouncedItIsGone()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        final byte[] body = pattern(100);
        assertTrue(link.openRequest(request, post(), body.length));

        // the replacement, which announced nothing, gets the head and the body in a chunk
        link.workerFeatures(0);
        assertTrue(link.offerBody(request, content(body), true));

        final List<Message> messages = drain();
        assertEquals(2, messages.size(), messages.toString());
        assertEquals(0, messages.get(0).flags);
        assertArrayEquals(body, messages.get(1).data);
    }

    @Test
    void shouldWriteTheHeadAloneThenChunksWhenTheBodyArrivesInPieces()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        final byte[] body = pattern(1000);
        assertTrue(link.openRequest(request, post(), body.length));

        assertTrue(link.offerBody(request, content(Arrays.copyOfRange(body, 0, 400)), false));
        assertTrue(link.offerBody(request, content(Arrays.copyOfRange(body, 400, 1000)), true));

        final List<Message> messages = drain();
        assertEquals(3, messages.size(), messages.toString());
        assertEquals(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, messages.get(0).type);
        assertEquals(0, messages.get(0).flags);
        assertEquals(0, messages.get(1).flags);
        assertEquals(MessageDescriptor.LAST_FLAG, messages.get(2).flags);
        assertArrayEquals(Arrays.copyOfRange(body, 0, 400), messages.get(1).data);
        assertArrayEquals(Arrays.copyOfRange(body, 400, 1000), messages.get(2).data);
    }

    @Test
    void shouldInlineUpToTheLimitExactlyAndNoFurther()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        final int headLength = headLength();
        final int limitBody = RequestHeadEncoder.INLINE_MESSAGE_MAX_LENGTH - headLength;

        for (final int length : new int[]{ 1, limitBody - 1, limitBody, limitBody + 1 })
        {
            final byte[] body = pattern(length);
            assertTrue(link.openRequest(request, post(), length));
            assertTrue(link.offerBody(request, content(body), true));

            final List<Message> messages = drain();
            if (length <= limitBody)
            {
                assertEquals(1, messages.size(), length + ": " + messages);
                assertEquals(RequestHeadEncoder.INLINE_BODY_FLAG, messages.get(0).flags);
                assertEquals(RequestHeadEncoder.INLINE_MESSAGE_MAX_LENGTH - limitBody + length,
                    messages.get(0).length);
                assertArrayEquals(body, messages.get(0).data);
            }
            else
            {
                assertEquals(2, messages.size(), length + ": " + messages);
                assertEquals(0, messages.get(0).flags);
                assertArrayEquals(body, messages.get(1).data);
            }
            request.release();
            request.begin(EncodingExchange.create());
        }
    }

    @Test
    void shouldWriteNothingForARequestAbortedWhileItsHeadAwaitsTheBody()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        assertTrue(link.openRequest(request, post(), 10));

        request.abort();

        assertEquals(0, consumer.producerPosition(), "the worker never saw the request: no abort for it");
    }

    private int headLength()
    {
        assertTrue(link.openRequest(request, post(), 0));
        final List<Message> messages = drain();
        request.release();
        request.begin(EncodingExchange.create());
        return messages.get(0).length;
    }

    private static HttpRequest post()
    {
        final HttpRequest http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/shm/echo");
        http.headers().add("host", "localhost").add("content-type", "application/octet-stream");
        return http;
    }

    private List<Message> drain()
    {
        final List<Message> messages = new ArrayList<>();
        final RequestHeadDecoder decoder = new RequestHeadDecoder();
        final HeaderCursor cursor = new HeaderCursor();
        final MessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            if (BodyChunkFlyweight.requestId(buffer, index) != request.requestId())
            {
                return;
            }
            if (MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID == msgTypeId)
            {
                decoder.wrap(buffer, index);
                final int bodyOffset =
                    cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount(), index + length).skipAll();
                assertFalse(cursor.isMalformed());
                final byte[] data = new byte[index + length - bodyOffset];
                buffer.getBytes(bodyOffset, data);
                messages.add(new Message(msgTypeId, decoder.flags(), decoder.contentLength(), length, data));
            }
            else
            {
                final byte[] data = new byte[BodyChunkFlyweight.chunkLength(buffer, index)];
                buffer.getBytes(BodyChunkFlyweight.dataOffset(index), data);
                messages.add(new Message(msgTypeId, BodyChunkFlyweight.flags(buffer, index), -1, length, data));
            }
        };
        while (consumer.consumerPosition() < consumer.producerPosition())
        {
            consumer.read(handler);
        }
        return messages;
    }

    private ByteBuf content(final byte[] body)
    {
        final ByteBuf buffer = Unpooled.directBuffer(body.length).writeBytes(body);
        buffers.add(buffer);
        return buffer;
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + i / 251);
        }
        return bytes;
    }

    private record Message(int type, int flags, long contentLength, int length, byte[] data)
    {
    }
}
