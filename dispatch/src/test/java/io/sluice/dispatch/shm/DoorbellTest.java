package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;

import static io.sluice.dispatch.shm.WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET;
import static io.sluice.dispatch.shm.WorkerFileDescriptor.WORKER_SLEEPING_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ends of a doorbell over one header: each arms its own flag and wakes the other's, once per sleep; the
 * token a worker presents and the listener's check of it.
 */
class DoorbellTest
{
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    private final UnsafeBuffer header =
        new UnsafeBuffer(ByteBuffer.allocateDirect(WorkerFileDescriptor.HEADER_LENGTH));
    private final Doorbell listener = Doorbell.listenerSide(header);
    private final Doorbell worker = Doorbell.workerSide(header);

    @Test
    void shouldWakeTheSideThatArmedOncePerSleep()
    {
        assertFalse(listener.shouldWake(), "the worker never slept");

        worker.arm();
        assertEquals(WorkerFileDescriptor.SLEEPING, header.getInt(WORKER_SLEEPING_OFFSET));
        assertTrue(listener.isPeerSleeping());
        assertFalse(worker.shouldWake(), "the listener is awake");
        assertTrue(listener.shouldWake());
        assertFalse(listener.shouldWake(), "one wake-up per sleep");

        listener.arm();
        assertEquals(WorkerFileDescriptor.SLEEPING, header.getInt(LISTENER_SLEEPING_OFFSET));
        listener.disarm();
        assertFalse(worker.shouldWake(), "it found work and disarmed");
    }

    @Test
    void shouldResetBothFlags()
    {
        worker.arm();
        listener.arm();

        listener.reset();

        assertFalse(listener.isPeerSleeping());
        assertFalse(worker.isPeerSleeping());
    }

    @Test
    void shouldHandOutOneReadyWakeByte()
    {
        final ByteBuffer wakeByte = listener.wakeByte();
        wakeByte.get();

        assertEquals(1, listener.wakeByte().remaining(), "ready again after a write");
        assertTrue(listener.wakeByte().isDirect());
    }

    @Test
    void shouldPresentTheTokenTheListenerExpects() throws IOException
    {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        Doorbell.presentToken(Channels.newChannel(written), TOKEN);

        assertArrayEquals(TOKEN.getBytes(StandardCharsets.US_ASCII), written.toByteArray());
        assertTrue(Doorbell.isToken(written.toByteArray(), TOKEN));
        assertFalse(Doorbell.isToken(written.toByteArray(), TOKEN.replace('0', 'x')));
        assertFalse(Doorbell.isToken(written.toByteArray(), null), "no start expected");
    }

    @Test
    void shouldRefuseATokenOfTheWrongLength()
    {
        final IOException ex = assertThrows(IOException.class,
            () -> Doorbell.presentToken(Channels.newChannel(new ByteArrayOutputStream()), "short"));
        assertEquals("SLUICE_TOKEN must be 32 characters", ex.getMessage());
    }
}
