package io.sluice.listener.queue;

import io.sluice.dispatch.shm.SharedMemoryFiles;

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
 */
public record HostContext(Transport transport, Supplier<SharedMemoryFiles.PrivateDirectory> shmDirectory)
{
}
