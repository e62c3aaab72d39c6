package io.sluice.listener;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.logging.Logger;

/**
 * Runs an action when the process receives a POSIX signal, through the JDK's {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, present on JDK 17 and 25). It is reached by reflection: the compiler warns on every
 * direct use of that API, and the build turns warnings into errors. The action runs on the JDK's signal dispatch
 * thread; it must return quickly (hand the work to another thread).
 */
final class Signals
{
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals()
    {
    }

    /**
     * @param name   the signal without {@code SIG}, e.g. {@code USR1}.
     * @param action what to do each time it arrives.
     * @return true when installed; false (logged) when the JDK or the OS does not let the signal be handled, or when the
     *         process inherited the signal as ignored (the JVM then keeps it ignored).
     */
    static boolean handle(final String name, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance(name);
            final InvocationHandler invocation = (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "handle":
                        action.run();
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return "SignalHandler[SIG" + name + "]";
                }
            };
            final Object handler = Proxy.newProxyInstance(
                handlerClass.getClassLoader(), new Class<?>[]{ handlerClass }, invocation);
            final Object previous = signalClass.getMethod("handle", signalClass, handlerClass)
                .invoke(null, signal, handler);
            if (previous == handlerClass.getField("SIG_IGN").get(null))
            {
                // the JVM leaves a shutdown signal (HUP, INT, TERM) that the process inherited as ignored ignored
                LOG.warning(() -> "SIG" + name + " is ignored in this process (inherited from its parent, as under " +
                    "nohup), so it has no effect; start the process with the signal at its default (bin/sluice " +
                    "does, through env --default-signal=" + name + ")");
                return false;
            }
            return true;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warning(() -> "cannot handle SIG" + name + ": " + ex);
            return false;
        }
    }
}
