package io.sluice.listener.queue;

import io.sluice.dispatch.worker.WorkerEnvironment;

/**
 * How a request queue's handler is hosted. The listener switches on this to wire the same handler, the same routing
 * and the same request queue in different ways.
 */
public enum HostingMode
{
    /**
     * The handler is loaded into the listener JVM and called on the connection's event loop.
     */
    IN_PROCESS(WorkerEnvironment.IN_PROCESS),

    /**
     * The handler runs in worker processes; requests and responses cross memory-mapped Agrona ring buffers.
     */
    SHARED_MEMORY(WorkerEnvironment.SHARED_MEMORY),

    /**
     * The handler runs in worker processes behind their own loopback HTTP server; the listener forwards over pooled
     * keep-alive connections, adding the worker's token.
     */
    LOOPBACK_FORWARD(WorkerEnvironment.LOOPBACK);

    private final String configName;

    HostingMode(final String configName)
    {
        this.configName = configName;
    }

    /**
     * @return the name used in the configuration file and in {@code SLUICE_HOSTING}.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * @param name as written in the configuration file.
     * @return the mode, or null when the name is unknown.
     */
    public static HostingMode fromConfigName(final String name)
    {
        for (final HostingMode mode : values())
        {
            if (mode.configName.equals(name))
            {
                return mode;
            }
        }
        return null;
    }

    /**
     * @return true when the handler runs in worker processes.
     */
    public boolean isOutOfProcess()
    {
        return this != IN_PROCESS;
    }
}
