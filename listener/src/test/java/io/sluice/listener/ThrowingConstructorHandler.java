package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;

/**
 * A handler that cannot be created: its constructor throws.
 */
public final class ThrowingConstructorHandler implements Handler
{
    /**
     * Always throws.
     */
    public ThrowingConstructorHandler()
    {
        throw new IllegalArgumentException("database URL not set");
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        exchange.respond(200, "text/plain", new byte[0]);
    }
}
