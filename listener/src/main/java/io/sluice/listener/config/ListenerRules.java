package io.sluice.listener.config;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.routing.UrlPrefix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The rules of {@link ListenerContext#conclude()} that span the listener and its queues, checked once every queue is
 * concluded. Stateless.
 */
final class ListenerRules
{
    /**
     * Longest path a Unix domain socket can be bound to on Linux: {@code sun_path} is 108 bytes with its NUL.
     */
    static final int UNIX_SOCKET_PATH_LENGTH_MAX = 107;

    private ListenerRules()
    {
    }

    /**
     * No prefix may use the admin port.
     *
     * @param origin       the listener mapping, for the message.
     * @param port         the admin port, or {@link ListenerConfiguration#ADMIN_PORT_DISABLED}.
     * @param queueConfigs the concluded queues.
     * @throws ConfigException naming {@code listener.adminPort} and the first prefix on it.
     */
    static void checkAdminPort(final SettingOrigin origin, final int port, final List<QueueConfiguration> queueConfigs)
    {
        if (ListenerConfiguration.ADMIN_PORT_DISABLED == port)
        {
            return;
        }
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final List<String> prefixes = queueConfigs.get(i).prefixes();
            for (int j = 0; j < prefixes.size(); j++)
            {
                if (UrlPrefix.parse(prefixes.get(j)).port() == port)
                {
                    throw origin.errorNaming(
                        YamlKeys.ADMIN_PORT,
                        "port is already used by " + ConfigKeys.queuePrefix(i, j),
                        port);
                }
            }
        }
    }

    /**
     * What shared-memory queues need of the listener: one event loop (a queue's rings and doorbells belong to one),
     * and a directory short enough that each worker's doorbell socket path fits a Unix socket address.
     *
     * @param origin       the listener mapping, for the message.
     * @param loops        the number of event loops.
     * @param queueDir     the shared-memory directory in force.
     * @param queueConfigs the concluded queues.
     * @throws ConfigException naming {@code listener.eventLoops} or {@code listener.shmDir}.
     */
    static void checkSharedMemory(
        final SettingOrigin origin, final int loops, final Path queueDir, final List<QueueConfiguration> queueConfigs)
    {
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final QueueConfiguration queue = queueConfigs.get(i);
            if (queue.hosting() != HostingMode.SHARED_MEMORY)
            {
                continue;
            }
            if (1 != loops)
            {
                throw origin.errorNaming(
                    YamlKeys.EVENT_LOOPS,
                    "must be 1 while a queue is hosted in shared memory (" + ConfigKeys.queue(i) + " is)",
                    loops);
            }
            final String doorbell = queueDir
                .resolve(SharedMemoryFiles.workerDirectoryName(queue.name(), queue.worker().processes() - 1))
                .resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME)
                .toString();
            final int length = doorbell.getBytes(StandardCharsets.UTF_8).length;
            if (length > UNIX_SOCKET_PATH_LENGTH_MAX)
            {
                throw origin.errorNaming(
                    YamlKeys.SHM_DIR,
                    "is too long for queue " + queue.name() + ": its doorbell socket " + doorbell + " would be " +
                    length + " bytes, and a Unix socket path holds at most " + UNIX_SOCKET_PATH_LENGTH_MAX,
                    queueDir.toString());
            }
        }
    }
}
