package io.sluice.dispatch.worker;

/**
 * Whether the duty thread runs handler code, for every lane it serves ({@link SharedMemoryLanes}): handler code called
 * for one lane's request may answer a request that came on another lane, and then block. That answer's lane sees it
 * was published from inside handler code that is not its own, whose return announces nothing of that lane, so it is
 * announced at once ({@link ResponsePublisher}).
 * <p>
 * Threading: the duty thread only. A worker with one lane has a scope of its own.
 */
final class HandlerScope
{
    private boolean inHandler;

    /**
     * The duty thread calls into handler code.
     */
    void enter()
    {
        inHandler = true;
    }

    /**
     * The duty thread is back from handler code.
     */
    void leave()
    {
        inHandler = false;
    }

    /**
     * @return true while the duty thread runs handler code, for any lane.
     */
    boolean isInHandler()
    {
        return inHandler;
    }
}
