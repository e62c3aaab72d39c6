package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A handler that answers every request with {@code 200 text/plain} and its own name as the body, so a routing test can
 * tell which queue served a request. Each queue names one of the public subclasses (hosts load handlers by class name
 * through a public no-argument constructor).
 */
public abstract class NamedHandler implements Handler
{
    private final byte[] name;

    NamedHandler(final String name)
    {
        this.name = name.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        if (!exchange.hasBody())
        {
            exchange.respond(200, "text/plain", name);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (last)
        {
            exchange.respond(200, "text/plain", name);
        }
    }

    /**
     * Answers {@code strong-app}.
     */
    public static final class StrongApp extends NamedHandler
    {
        /**
         * Loaded by class name.
         */
        public StrongApp()
        {
            super("strong-app");
        }
    }

    /**
     * Answers {@code localhost-app}.
     */
    public static final class LocalhostApp extends NamedHandler
    {
        /**
         * Loaded by class name.
         */
        public LocalhostApp()
        {
            super("localhost-app");
        }
    }

    /**
     * Answers {@code localhost-deep}.
     */
    public static final class LocalhostDeep extends NamedHandler
    {
        /**
         * Loaded by class name.
         */
        public LocalhostDeep()
        {
            super("localhost-deep");
        }
    }

    /**
     * Answers {@code weak-root}.
     */
    public static final class WeakRoot extends NamedHandler
    {
        /**
         * Loaded by class name.
         */
        public WeakRoot()
        {
            super("weak-root");
        }
    }

    /**
     * Answers {@code example-root}.
     */
    public static final class ExampleRoot extends NamedHandler
    {
        /**
         * Loaded by class name.
         */
        public ExampleRoot()
        {
            super("example-root");
        }
    }
}
