package io.sluice.dispatch.worker;

import org.agrona.ErrorHandler;
import org.agrona.LangUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * A shared-memory worker's duty cycle as Agrona's {@link org.agrona.concurrent.AgentRunner} runs it, with a
 * {@link DoorbellIdleStrategy}: each cycle reads a batch off the request ring ({@link SharedMemoryWorker#doWork()})
 * and then announces what the batch published ({@link SharedMemoryWorker#endBatch()}: one wake-up check per batch).
 * The cycle ends when the listener is gone, or, after a request to stop, once the ring is drained and the answers
 * owed are finished.
 * <p>
 * Errors: an exception that escapes the duty cycle (a handler's is caught before, by the {@link HandlerInvoker}) is
 * counted by the runner and ends the cycle: {@link #rethrowFailure()} then hands it to the caller, which logs it and
 * exits the process, and the listener replaces the worker.
 */
final class SharedMemoryWorkerAgent implements Agent, ErrorHandler
{
    private final WorkerDuty worker;
    private volatile Throwable failure;

    /**
     * @param worker the lane, or lanes, whose duty cycle this is.
     */
    SharedMemoryWorkerAgent(final WorkerDuty worker)
    {
        this.worker = worker;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart()
    {
        worker.startDuty();
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        if (worker.isListenerGone() || null != failure)
        {
            throw new AgentTerminationException(true);
        }
        final int work = worker.doWork();
        worker.endBatch();
        if (work <= 0 && worker.isStopRequested() && worker.isDrained())
        {
            throw new AgentTerminationException(true);
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return worker.roleName();
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final Throwable throwable)
    {
        // logged once, by whoever the failure is handed to (the worker process prints it as it exits)
        if (null == failure)
        {
            failure = throwable;
        }
    }

    /**
     * After the runner returned: the error that ended the duty cycle, if one did, thrown to the caller.
     */
    void rethrowFailure()
    {
        final Throwable ex = failure;
        if (null != ex)
        {
            LangUtil.rethrowUnchecked(ex);
        }
    }
}
