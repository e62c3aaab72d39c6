package io.sluice.listener.process;

/**
 * One worker process of a queue as the status document shows it: a snapshot.
 *
 * @param position   the worker's place in the queue, 0 to {@code processes} - 1.
 * @param slot       the slot it runs in (its shared-memory directory or its port's start): a position has two, so
 *                   that a replacement can start beside the worker it replaces.
 * @param pid        its process id, -1 when no process runs.
 * @param state      {@code starting}, {@code ready}, {@code draining} or {@code stopped}.
 * @param uptimeMs   time since it was started, 0 when stopped.
 * @param requests   requests given to it since it was started.
 * @param restarts   starts of its position after a failure (not recycles), since the listener started.
 * @param recycles   overlapped recycles of its position, since the listener started.
 */
public record WorkerStatus(
    int position,
    int slot,
    long pid,
    String state,
    long uptimeMs,
    long requests,
    int restarts,
    int recycles)
{
    /**
     * Starting: the process runs, not yet ready.
     */
    public static final String STARTING = "starting";

    /**
     * Ready: taking requests.
     */
    public static final String READY = "ready";

    /**
     * Draining: replaced or stopping; finishing the requests it holds, taking no new ones.
     */
    public static final String DRAINING = "draining";

    /**
     * Stopped: no process (not yet started, stopped when idle, or the queue is offline or stopped).
     */
    public static final String STOPPED = "stopped";
}
