package io.sluice.listener.hosting;

import io.sluice.dispatch.worker.Handler;

/**
 * Loads a {@link Handler} by class name, with a one-line error for a user's mistake.
 */
final class HandlerLoader
{
    private HandlerLoader()
    {
    }

    static Handler load(final String className)
    {
        try
        {
            final Class<?> type = Class.forName(className);
            if (!Handler.class.isAssignableFrom(type))
            {
                throw new IllegalStateException("handler class does not implement " + Handler.class.getName() +
                    ": " + className);
            }
            return (Handler)type.getConstructor().newInstance();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalStateException("handler class not found: " + className, ex);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("handler class cannot be created: " + className + ": " + ex, ex);
        }
    }
}
