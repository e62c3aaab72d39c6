package io.sluice.dispatch.worker;

/**
 * What a shared-memory worker's duty cycle runs ({@link SharedMemoryWorkerAgent}), idles on
 * ({@link DoorbellIdleStrategy}) and is stopped through ({@link ListenerWatch}): one lane
 * ({@link SharedMemoryWorker}), or all of a worker's lanes served round robin ({@link SharedMemoryLanes}).
 * <p>
 * Threading: the duty thread, except {@link #requestStop()} and {@link #isStopRequested()}.
 */
abstract class WorkerDuty
{
    /**
     * The duty thread begins (on it).
     */
    abstract void startDuty();

    /**
     * The duty cycle ended (on the duty thread): helper threads stop.
     */
    abstract void stopDuty();

    /**
     * Take a batch of messages off the request ring(s) and call the handler.
     *
     * @return the number of messages taken.
     */
    public abstract int doWork();

    /**
     * End of a read batch: announce what the batch published.
     */
    abstract void endBatch();

    /**
     * Block on the doorbell(s) until the listener rings, after a last look at the ring(s).
     */
    abstract void sleep();

    /**
     * @return true once the listener is gone.
     */
    abstract boolean isListenerGone();

    /**
     * @return true once {@link #requestStop()} was called.
     */
    abstract boolean isStopRequested();

    /**
     * @return true when the request ring(s) are empty and every exchange taken off them is answered.
     */
    abstract boolean isDrained();

    /**
     * Ask the duty cycle to finish what it holds. Any thread; returns at once.
     *
     * @return false when the listener is gone: the caller should exit at once.
     */
    abstract boolean requestStop();

    /**
     * @return the name of the duty cycle.
     */
    public abstract String roleName();
}
