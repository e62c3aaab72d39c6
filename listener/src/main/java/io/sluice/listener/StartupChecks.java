package io.sluice.listener;

import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.hosting.inprocess.HandlerLoader;
import io.sluice.listener.process.WorkerCommand;
import io.sluice.listener.queue.HostingMode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the listener checks before anything starts: each failure a {@link StartupException} naming its key.
 */
final class StartupChecks
{
    private StartupChecks()
    {
    }

    /**
     * Check, before anything starts, what the configuration names and the file alone cannot prove: the bind addresses
     * resolve, each handler class the listener loads (in-process, or a worker SDK started with the listener's class
     * path) exists, and each worker command's program exists and is executable. An in-process handler is created here,
     * so that a class whose static initialiser or constructor throws is a start-up error naming its key.
     *
     * @param config the loaded configuration.
     * @return the in-process queues' handlers, created, by queue name.
     * @throws StartupException naming the key of what cannot be used.
     */
    static Map<String, Handler> check(final ListenerConfiguration config)
    {
        final Map<String, Handler> inProcessHandlers = new LinkedHashMap<>();
        checkResolves(ConfigKeys.LISTENER_BIND, config.bindAddress());
        if (config.adminPort() > 0)
        {
            checkResolves(ConfigKeys.LISTENER_ADMIN_BIND, config.admin().bindAddress());
        }
        final List<QueueConfiguration> queueConfigs = config.queues();
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final Handler handler = checkQueue(queueConfigs.get(i), i);
            if (null != handler)
            {
                inProcessHandlers.put(queueConfigs.get(i).name(), handler);
            }
        }
        return inProcessHandlers;
    }

    /**
     * Check what one queue names: its handler class (created, for an in-process queue) or its worker command.
     *
     * @param queue the queue.
     * @param index its index in the file's {@code queues}, for the key named by a failure.
     * @return the in-process queue's handler, created; null for a queue with workers.
     * @throws StartupException naming the key of what cannot be used.
     */
    static Handler checkQueue(final QueueConfiguration queue, final int index)
    {
        final boolean customCommand = null != queue.worker() && !queue.worker().command().isEmpty();
        if (queue.hosting() == HostingMode.IN_PROCESS)
        {
            return HandlerLoader.create(queue.handler(), ConfigKeys.queueHandler(index));
        }
        if (!customCommand)
        {
            HandlerLoader.check(queue.handler(), ConfigKeys.queueHandler(index));
            return null;
        }
        try
        {
            WorkerCommand.checkCommand(queue.worker().command());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new StartupException(ConfigKeys.workerCommand(index), ex.getMessage(), ex);
        }
        return null;
    }

    private static void checkResolves(final String key, final String hostName)
    {
        try
        {
            InetAddress.getByName(hostName);
        }
        catch (final UnknownHostException ex)
        {
            throw new StartupException(key, "cannot resolve host name (was '" + hostName + "')", ex);
        }
    }
}
