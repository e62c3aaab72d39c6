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

    /**
     * @return true when new requests may go to the lane: its worker is the current one of its position, not a spare
     * slot, nor one replaced and draining.
     */
    default boolean isRoutable()
    {
        return true;
    }
}
