/**
 * The in-process hosting model: {@link io.sluice.listener.hosting.inprocess.HandlerLoader} loads the queue's
 * {@code Handler} class into the listener JVM, {@link io.sluice.listener.hosting.inprocess.InProcessHost} calls it
 * on the connection's event loop with an {@code InProcessExchange} per request, and a handler thread that writes more
 * than the response can take waits ({@code SendBound}) until the client reads.
 */
package io.sluice.listener.hosting.inprocess;
