/**
 * The loopback-forwarding hosting model: {@link io.sluice.listener.hosting.loopback.LoopbackHost} starts worker
 * processes that serve HTTP on {@code 127.0.0.1}; a {@code LoopbackLoop} per event loop keeps pooled keep-alive
 * connections to them ({@code LoopbackUpstream}, each carrying one client connection's requests at a time, pipelined
 * in order; {@code LoopbackReadiness}) and a {@code LoopbackForward} per request
 * writes the request with the worker's token ({@code LoopbackHeaders}; its body held by {@code LoopbackEarlyBody}
 * until a connection is ready, framed by {@code LoopbackBodyWriter}) and checks the worker's response before it
 * reaches the client. {@code LoopbackShutdown} asks the workers to stop when the listener does.
 */
package io.sluice.listener.hosting.loopback;
