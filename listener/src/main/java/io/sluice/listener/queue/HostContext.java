package io.sluice.listener.queue;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.function.Supplier;

/**
 * What the listener gives every host besides its queue's settings: the resources the listener owns and the hosts
 * share. A host keeps what it needs of it; the listener closes them after the hosts.
 *
 * @param transport    the listener's transport: its event loops run the hosts' timers, doorbells and loopback
 *                     connections, its channel classes open sockets (epoll needed for the shared-memory doorbells).
 * @param shmDirectory the listener's shared-memory directory, created and held by the listener before a shared-memory
 *                     host starts; asked for at start, so that a listener without shared-memory queues never creates
 *                     it.
 * @param nanoClock    the clock of the hosts' own timers (request timeouts, worker liveness, doorbell deadlines), which
 *                     a test may drive. Not the admission time a shared-memory worker is given, which is
 *                     {@link System#nanoTime()} as the protocol says.
 */
public record HostContext(
    Transport transport,
    Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory,
    NanoClock nanoClock)
{
    /**
     * A context whose hosts read the system's clock.
     *
     * @param transport    the listener's transport.
     * @param shmDirectory the listener's shared-memory directory, asked for at start.
     */
    public HostContext(final Transport transport, final Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory)
    {
        this(transport, shmDirectory, SystemNanoClock.INSTANCE);
    }
}
