package io.sluice.dispatch.worker;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * The one logging setup of the listener and its workers: {@code java.util.logging} to standard error, one line per
 * record in {@link #FORMAT}, e.g. {@code 2026-12-04T21:49:12.345 WARNING io.sluice.dispatch.worker.HandlerInvoker
 * failed: handler failed in onRequest: GET /x (failure 1)}, followed by the stack trace when there is one. A worker's
 * standard error goes where its queue's {@code stdoutLog} says, so the listener's log and its workers' read alike.
 */
public final class SluiceLogging
{
    /**
     * System property of {@code java.util.logging.SimpleFormatter} holding its format: {@value}.
     */
    public static final String FORMAT_PROP_NAME = "java.util.logging.SimpleFormatter.format";

    /**
     * Time to the millisecond, level, source (class and method), message, then the exception if any: {@value}.
     */
    public static final String FORMAT = "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n";

    private SluiceLogging()
    {
    }

    /**
     * Use {@link #FORMAT} unless the process was started with a format of its own ({@code -D}{@value #FORMAT_PROP_NAME}),
     * and have Netty log through {@code java.util.logging} too, whatever else is on the class path (Netty would
     * otherwise pick SLF4J when its API is present, and print a warning to standard error when it has no provider).
     * Call first thing in {@code main}, before anything logs: the format is read when the first handler is made.
     */
    public static void configure()
    {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        if (null == System.getProperty(FORMAT_PROP_NAME))
        {
            System.setProperty(FORMAT_PROP_NAME, FORMAT);
        }
    }
}
