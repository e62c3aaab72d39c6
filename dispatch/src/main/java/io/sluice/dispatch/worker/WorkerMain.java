package io.sluice.dispatch.worker;

/**
 * The worker program the listener runs for a queue that names a handler class and no command:
 * {@code java -cp ... io.sluice.dispatch.worker.WorkerMain <handler class>}. A worker application with its own main
 * calls {@link Worker#serve(Handler)} instead.
 */
public final class WorkerMain
{
    private WorkerMain()
    {
    }

    /**
     * @param args the handler's fully qualified class name.
     */
    public static void main(final String[] args)
    {
        SluiceLogging.configure();
        if (args.length != 1)
        {
            System.err.println("usage: WorkerMain <handler class>");
            System.exit(2);
        }
        final Handler handler;
        try
        {
            handler = (Handler)Class.forName(args[0]).getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | ClassCastException ex)
        {
            System.err.println("sluice worker: cannot load handler " + args[0] + ": " + ex);
            System.exit(2);
            return;
        }
        Worker.serve(handler);
    }
}
