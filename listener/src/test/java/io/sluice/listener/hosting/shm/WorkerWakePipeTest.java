package io.sluice.listener.hosting.shm;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link WorkerWakePipe} on a real pipe: waking a worker that reads nothing never blocks the listener's loop, what it
 * left is drained, and closing frees both ends (no descriptor is left behind by a lane).
 */
class WorkerWakePipeTest
{
    private static final int MORE_THAN_A_PIPE_HOLDS = 256 * 1024;

    @Test
    void shouldNeverBlockOnAFullPipeAndDrainWhatWasLeft() throws IOException
    {
        assumeTrue(Epoll.isAvailable());
        final WorkerWakePipe pipe = WorkerWakePipe.create(ProcessHandle.current().pid());
        try
        {
            final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1).put(0, (byte)1);
            for (int i = 0; i < MORE_THAN_A_PIPE_HOLDS; i++)
            {
                pipe.wake(wakeByte);
            }
            pipe.drain();
            pipe.wake(wakeByte);
            try (FileInputStream worker = new FileInputStream(pipe.path()))
            {
                assertEquals(1, worker.available(), "one byte left after the drain and one wake");
                assertEquals(1, worker.read());
            }
        }
        finally
        {
            pipe.close();
        }
    }

    @Test
    void shouldFreeBothEndsWhenClosed() throws IOException
    {
        assumeTrue(Epoll.isAvailable());
        final int before = openDescriptors();
        for (int i = 0; i < 50; i++)
        {
            final WorkerWakePipe pipe = WorkerWakePipe.create(ProcessHandle.current().pid());
            assertTrue(new File(pipe.path()).exists(), pipe.path());
            pipe.close();
            pipe.close();
            pipe.drain();
            pipe.wake(ByteBuffer.allocateDirect(1));
        }
        assertTrue(openDescriptors() <= before + 2, "descriptors: " + before + " then " + openDescriptors());
    }

    private static int openDescriptors()
    {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }
}
