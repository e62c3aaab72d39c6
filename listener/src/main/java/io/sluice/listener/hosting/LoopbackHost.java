package io.sluice.listener.hosting;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.listener.Transport;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.http.ServerExchange;
import io.sluice.listener.process.WorkerSupervisor;

/**
 * Placeholder while the loopback model is written.
 */
public final class LoopbackHost implements Host
{
    /**
     * @param queue     the queue.
     * @param transport the transport.
     */
    public LoopbackHost(final QueueConfiguration queue, final Transport transport)
    {
    }

    /**
     * @return the supervisor.
     */
    public WorkerSupervisor supervisor()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
    }

    /**
     * {@inheritDoc}
     */
    public RequestSink open(final ServerExchange exchange, final HttpRequest request, final long contentLength)
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }
}
