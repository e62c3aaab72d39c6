package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A shared-memory worker serving one lane sleeps on the wake pipe the listener names in {@code SLUICE_WAKE_PIPE}
 * (docs/shared-memory-protocol.md, "Worker features", bit 1), and the listener wakes it there: the worker process holds
 * a pipe that this listener's process holds too (beyond its standard streams), and one client's requests, each sent
 * after the worker has gone to sleep, are all answered. Were the listener to ring the doorbell socket of a worker
 * blocked on the pipe, or the other way round, the worker would not wake and the second request would not be answered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WakePipeTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int REQUESTS = 5;
    private static final long ASLEEP_MS = 50;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldWakeASleepingWorkerThroughItsPipe() throws Exception
    {
        final TestListener listener = LISTENERS.start("wake-pipe", CONFIG);
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final long workerPid = listener.supervisor("shm").pid(0);

        final Set<String> shared = pipes(Path.of("/proc/self/fd"), 0);
        shared.retainAll(pipes(Path.of("/proc/" + workerPid + "/fd"), 3));
        assertFalse(shared.isEmpty(), "the worker opened none of the listener's pipes beyond its standard streams");

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            for (int i = 0; i < REQUESTS; i++)
            {
                // far longer than any look before sleeping: the worker sleeps, and only a wake-up serves the request
                Thread.sleep(ASLEEP_MS);
                final RawHttpClient.Response response = client.send(RawHttpClient.get("/shm/", listener.port()));
                assertEquals(200, response.status(), response::toString);
                assertEquals(DeliveryHandler.HELLO, response.bodyText());
            }
        }
    }

    /**
     * @return the pipes ({@code pipe:[inode]}) among a process's descriptors numbered {@code from} or more.
     */
    private static Set<String> pipes(final Path fdDir, final int from) throws IOException
    {
        final Set<String> pipes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir))
        {
            for (final Path fd : fds)
            {
                if (Integer.parseInt(fd.getFileName().toString()) < from)
                {
                    continue;
                }
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:"))
                    {
                        pipes.add(target);
                    }
                }
                catch (final IOException ex)
                {
                    // closed while listed
                }
            }
        }
        return pipes;
    }
}
