package io.sluice.dispatch.shm;

import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RequestRingReader}: the same messages, actions and head positions as Agrona's {@code controlledRead}; on a
 * ring zeroed ahead it zeroes the headers of the records it takes and leaves their messages.
 */
class RequestRingReaderTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int TYPE = 2;

    @Test
    void shouldReadAsAgronasControlledReadWithEveryAction()
    {
        final ManyToOneRingBuffer agrona = ring();
        final ManyToOneRingBuffer headersOnly = ring();
        final RequestRingReader reader = new RequestRingReader(headersOnly, true);
        for (int i = 0; i < 10; i++)
        {
            write(agrona, 'a' + i, 10 + i);
            write(headersOnly, 'a' + i, 10 + i);
        }
        final ControlledMessageHandler.Action[] script =
        {
            ControlledMessageHandler.Action.CONTINUE, ControlledMessageHandler.Action.COMMIT,
            ControlledMessageHandler.Action.ABORT, ControlledMessageHandler.Action.BREAK,
        };
        for (final ControlledMessageHandler.Action action : script)
        {
            final List<String> expected = new ArrayList<>();
            final List<String> actual = new ArrayList<>();
            assertEquals(agrona.controlledRead(handler(expected, action), 3), reader.read(handler(actual, action), 3));
            assertEquals(expected, actual, action.name());
            assertEquals(agrona.consumerPosition(), headersOnly.consumerPosition(), action.name());
        }
        final List<String> expected = new ArrayList<>();
        final List<String> actual = new ArrayList<>();
        agrona.controlledRead(handler(expected, ControlledMessageHandler.Action.BREAK), 10);
        reader.read(handler(actual, ControlledMessageHandler.Action.BREAK), 10);
        assertEquals(expected, actual);
        assertEquals(1, actual.size(), "BREAK ends the read");
        assertEquals(agrona.consumerPosition(), headersOnly.consumerPosition());
    }

    @Test
    void shouldZeroOnlyTheHeadersOfTheRecordsItTakes()
    {
        final ManyToOneRingBuffer ring = ring();
        final RequestRingReader reader = new RequestRingReader(ring, true);
        write(ring, 'x', 20);
        write(ring, 'y', 30);
        write(ring, 'z', 5);

        assertEquals(2, reader.read(handler(new ArrayList<>(), ControlledMessageHandler.Action.COMMIT), 2));

        final UnsafeBuffer buffer = (UnsafeBuffer)ring.buffer();
        assertEquals(0, buffer.getLong(0), "first header");
        assertEquals('x', buffer.getByte(RecordDescriptor.HEADER_LENGTH), "first message left");
        assertEquals(0, buffer.getLong(32), "second header");
        assertEquals('y', buffer.getByte(32 + RecordDescriptor.HEADER_LENGTH), "second message left");
        assertEquals(5 + RecordDescriptor.HEADER_LENGTH, buffer.getInt(72), "the third record is not taken");
        assertEquals(72, ring.consumerPosition());
    }

    @Test
    void shouldReadTheListenerFeature()
    {
        final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(WorkerFileDescriptor.HEADER_LENGTH));
        WorkerFileDescriptor.initialise(header, CAPACITY, CAPACITY, 1, 2);
        assertFalse(RequestRingReader.isZeroedAhead(header));

        WorkerFileDescriptor.initialise(
            header, CAPACITY, CAPACITY, 1, 2, WorkerFileDescriptor.FEATURE_REQUEST_RING_ZEROED_AHEAD);
        assertTrue(RequestRingReader.isZeroedAhead(header));
    }

    private static ControlledMessageHandler handler(
        final List<String> read, final ControlledMessageHandler.Action action)
    {
        return (msgTypeId, buffer, index, length) ->
        {
            read.add(buffer.getStringWithoutLengthAscii(index, length));
            return action;
        };
    }

    private static ManyToOneRingBuffer ring()
    {
        return new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static void write(final ManyToOneRingBuffer ring, final int fill, final int length)
    {
        final int index = ring.tryClaim(TYPE, length);
        ring.buffer().setMemory(index, length, (byte)fill);
        ring.commit(index);
    }
}
