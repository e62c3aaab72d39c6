package io.sluice.listener.hosting.shm;

/**
 * What {@link LoopLanes#pick} weighs of a worker's lane on one event loop.
 */
interface WorkerLoad
{
    /**
     * @return true while a worker is attached to the lane.
     */
    boolean isAttached();

    /**
     * @return the requests sent through the lane that have not ended.
     */
    int outstanding();
}
