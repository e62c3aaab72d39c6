package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.ResponseHeads;

/**
 * The checks a host's response head passes before it is written, in this order, over HTTP/1.1
 * ({@link ServerExchange}) and HTTP/2 ({@link Http2StreamExchange}) alike: a head for an exchange that is done is
 * dropped; a second head is dropped and the exchange failed (the first is out, its status cannot change: the client
 * sees the response cut); a {@code 101 Switching Protocols}, where the protocol has it, is the exchange's to judge; any
 * other status that is not final is answered {@code 502} in the host's place. Whatever is not accepted has its head
 * released. A rule added here applies to both protocols.
 */
final class ResponseHeadChecks
{
    /**
     * The head may be written.
     */
    static final int ACCEPTED = 0;

    /**
     * The head is a {@code 101 Switching Protocols} and the protocol can switch: the exchange judges it.
     */
    static final int SWITCHING = 1;

    /**
     * The head was dropped: the exchange is done, or sent a head before (then failed {@code 502}). The host's
     * {@code finishHead} returns false.
     */
    static final int REFUSED = 2;

    /**
     * The status is not a final one: answered {@code 502} in the host's place. The host's {@code finishHead} returns
     * true.
     */
    static final int ANSWERED = 3;

    private ResponseHeadChecks()
    {
    }

    /**
     * Check a head a host finished, before anything of it is written.
     *
     * @param exchange      the exchange answered.
     * @param head          the head: released unless {@link #ACCEPTED} or {@link #SWITCHING}.
     * @param status        its status.
     * @param canSwitch     true when the protocol has {@code 101 Switching Protocols} (HTTP/1.1, not HTTP/2).
     * @return {@link #ACCEPTED}, {@link #SWITCHING}, {@link #REFUSED} or {@link #ANSWERED}.
     */
    static int check(final ClientExchange exchange, final ByteBuf head, final int status, final boolean canSwitch)
    {
        if (exchange.isDone())
        {
            head.release();
            return REFUSED;
        }
        if (exchange.isHeadSent())
        {
            head.release();
            // the head is out: the status cannot change, so the response is cut and the client sees it
            exchange.sendError(502, "bad gateway: a second response head", ErrorReason.WORKER_PROTOCOL_ERROR);
            return REFUSED;
        }
        if (canSwitch && ResponseHeads.SWITCHING_PROTOCOLS == status)
        {
            return SWITCHING;
        }
        if (!ResponseHeads.isFinalStatus(status))
        {
            head.release();
            exchange.sendError(502, "bad gateway: invalid status", ErrorReason.WORKER_PROTOCOL_ERROR);
            return ANSWERED;
        }
        return ACCEPTED;
    }
}
