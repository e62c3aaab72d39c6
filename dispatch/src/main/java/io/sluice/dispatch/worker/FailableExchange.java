package io.sluice.dispatch.worker;

/**
 * An {@link Exchange} as its host sees it: one that can be answered for a handler that threw. Hosts implement it;
 * handlers have no use for it ({@link HandlerInvoker} calls it).
 */
public interface FailableExchange extends Exchange
{
    /**
     * The handler threw in a callback for this exchange. When no response head was sent, answer
     * {@link HandlerInvoker#FAILURE_STATUS} with {@link HandlerInvoker#FAILURE_BODY}; else end the response unfinished
     * (the client connection is closed after what was sent, without the end a complete body would have). Nothing the
     * handler sends for the exchange afterwards is used, and {@link Handler#onAbort(Exchange)} is not called for it.
     * Does nothing once the response is complete or the request was abandoned. Called on the thread that makes the
     * exchange's callbacks.
     */
    void handlerFailed();
}
