package io.sluice.dispatch.worker;

/**
 * Placeholder while being written.
 */
final class LoopbackWorker
{
    private LoopbackWorker()
    {
    }

    static void serve(final Handler handler, final WorkerEnvironment env) throws Exception
    {
        throw new UnsupportedOperationException("not yet");
    }
}
