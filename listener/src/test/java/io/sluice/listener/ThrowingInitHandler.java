package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;

import java.nio.charset.StandardCharsets;

/**
 * A handler whose class cannot be initialised: its static initialiser throws.
 */
public final class ThrowingInitHandler implements Handler
{
    private static final String GREETING = fail();

    private static String fail()
    {
        throw new IllegalStateException("static configuration missing");
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        exchange.respond(200, "text/plain", GREETING.getBytes(StandardCharsets.US_ASCII));
    }
}
