package io.sluice.listener.process;

/**
 * What the host learns from a {@link WorkerSupervisor} about its workers, on the supervisor thread.
 */
public interface WorkerEvents
{
    /**
     * A worker process was started (not yet ready).
     *
     * @param slot  the worker's slot.
     * @param token the secret the worker must present.
     */
    void onStarting(int slot, String token);

    /**
     * A worker process exited or was killed; its in-flight requests are the host's to settle, and what it never
     * took waits for the slot's next worker.
     *
     * @param slot     the worker's slot.
     * @param exitCode the process's exit code.
     */
    void onExited(int slot, int exitCode);

    /**
     * The queue was stopped by rapid-fail protection: answer 503 until reconfigured.
     */
    void onQueueStopped();

    /**
     * A replacement is ready: from now on new requests go to slot {@code to}, none to {@code from}, whose worker
     * keeps serving those it was given. Return once no event loop sends {@code from} a new request.
     *
     * @param from the slot of the worker replaced.
     * @param to   the slot of its ready replacement.
     */
    default void onTakeOver(final int from, final int to)
    {
    }

    /**
     * A replaced worker exited: nothing comes to its slot until a later recycle starts a worker there.
     *
     * @param slot     the worker's slot.
     * @param exitCode the process's exit code.
     */
    default void onRetired(final int slot, final int exitCode)
    {
        onExited(slot, exitCode);
    }

    /**
     * @param slot a worker's slot.
     * @return the requests given to the slot's workers so far, since the host started (a running count).
     */
    default long requestCount(final int slot)
    {
        return 0;
    }

    /**
     * @param slot a worker's slot.
     * @return the requests given to the slot's worker and not yet ended.
     */
    default int inFlight(final int slot)
    {
        return 0;
    }
}
