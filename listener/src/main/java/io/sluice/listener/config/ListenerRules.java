package io.sluice.listener.config;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.routing.UrlPrefix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
     * A port speaks TLS or cleartext, never both: every prefix on a port has the scheme of the first one named on it;
     * and {@code https} prefixes need {@code listener.tls}.
     *
     * @param origin       the listener mapping, for the message.
     * @param tls          true when {@code listener.tls} is set.
     * @param queueConfigs the concluded queues.
     * @throws ConfigException naming the prefix at fault, or {@code listener.tls}.
     */
    static void checkSchemes(
        final SettingOrigin origin, final boolean tls, final List<QueueConfiguration> queueConfigs)
    {
        final Map<Integer, String> firstOnPort = new HashMap<>();
        final Map<Integer, Boolean> httpsOnPort = new HashMap<>();
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final List<String> prefixes = queueConfigs.get(i).prefixes();
            for (int j = 0; j < prefixes.size(); j++)
            {
                final UrlPrefix prefix = UrlPrefix.parse(prefixes.get(j));
                final String key = ConfigKeys.queuePrefix(i, j);
                if (prefix.isHttps() && !tls)
                {
                    throw origin.error(
                        YamlKeys.TLS, "missing: " + key + " is an https prefix, which needs listener.tls.certificates");
                }
                final Boolean https = httpsOnPort.putIfAbsent(prefix.port(), prefix.isHttps());
                if (null == https)
                {
                    firstOnPort.put(prefix.port(), key);
                }
                else if (https != prefix.isHttps())
                {
                    throw ConfigSection.error(
                        origin.source(),
                        key,
                        "port " + prefix.port() + " is " + (https ? "https" : "http") + " in " +
                        firstOnPort.get(prefix.port()) + "; a port serves either http or https",
                        prefixes.get(j));
                }
            }
        }
    }

    /**
     * What shared-memory queues need of the listener: a directory short enough that each worker's doorbell socket
     * paths fit a Unix socket address (the longest is that of the last worker's last lane, one lane per event loop).
     *
     * @param origin       the listener mapping, for the message.
     * @param loops        the number of event loops.
     * @param queueDir     the shared-memory directory in force.
     * @param queueConfigs the concluded queues.
     * @throws ConfigException naming {@code listener.shmDir}.
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
            final String doorbell = queueDir
                .resolve(SharedMemoryFiles.workerDirectoryName(queue.name(), queue.worker().slots() - 1))
                .resolve(WorkerFileDescriptor.doorbellFileName(loops - 1))
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
