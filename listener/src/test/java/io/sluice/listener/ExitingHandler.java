package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;

/**
 * A handler whose worker process dies on every request it takes, before answering: the listener must answer in its
 * place.
 */
public final class ExitingHandler implements Handler
{
    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        Runtime.getRuntime().halt(3);
    }
}
