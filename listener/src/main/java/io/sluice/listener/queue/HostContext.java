package io.sluice.listener.queue;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.counters.QueueCounters;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.function.Supplier;

/**
 * What the listener gives every host besides its queue's settings: the resources the listener owns and the hosts
 * share. A host keeps what it needs of it; the listener closes them after the hosts.
 *
 * @param transport    the listener's transport: its event loops run the hosts' timers, doorbells and loopback
 *                     connections, its channel classes open sockets (epoll needed for the shared-memory doorbells).
 * @param shmDirectory the listener's shared-memory directory, created and held by the listener before a host starts.
 * @param nanoClock    the clock of the hosts' own timers (request timeouts, worker liveness, doorbell deadlines), which
 *                     a test may drive. Not the admission time a shared-memory worker is given, which is
 *                     {@link System#nanoTime()} as the protocol says.
 * @param counters     the listener's counters, made before a host starts; null (from the supplier) when none are kept.
 */
public record HostContext(
    Transport transport,
    Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory,
    NanoClock nanoClock,
    Supplier<ListenerCounters> counters)
{
    /**
     * A context whose hosts read the system's clock and keep no counters.
     *
     * @param transport    the listener's transport.
     * @param shmDirectory the listener's shared-memory directory, asked for at start.
     */
    public HostContext(final Transport transport, final Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory)
    {
        this(transport, shmDirectory, SystemNanoClock.INSTANCE, () -> null);
    }

    /**
     * A context whose hosts keep no counters.
     *
     * @param transport    the listener's transport.
     * @param shmDirectory the listener's shared-memory directory, asked for at start.
     * @param nanoClock    the clock of the hosts' own timers.
     */
    public HostContext(
        final Transport transport,
        final Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory,
        final NanoClock nanoClock)
    {
        this(transport, shmDirectory, nanoClock, () -> null);
    }

    /**
     * @param queueName a queue's name.
     * @return its counters (for its workers' lifetime events), or null when none are kept. Ask at start.
     */
    public QueueCounters queueCounters(final String queueName)
    {
        final ListenerCounters listenerCounters = counters.get();
        return null == listenerCounters ? null : listenerCounters.queue(queueName);
    }
}
