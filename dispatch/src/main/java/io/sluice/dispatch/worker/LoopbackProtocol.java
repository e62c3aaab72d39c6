package io.sluice.dispatch.worker;

import io.netty.util.AsciiString;

/**
 * The names the listener and a loopback worker agree on, over the HTTP/1.1 connection between them: the fields the
 * listener adds to a forwarded request, and those of its commands to the worker. Defined here once; the listener's
 * forwarding, readiness probe and stop use these, as does the worker SDK. Names are lower case, as sent.
 * <pre>
 *   forwarded request: the client's fields, then x-forwarded-for, x-forwarded-proto, sluice-appl-path, framing,
 *                      sluice-token (last)
 *   readiness probe:   sluice-event: ready, sluice-challenge: hex    answered 200 with sluice-proof: HMAC-SHA256 hex
 *   stop:              sluice-event: shutdown, sluice-token           answered 200, then the worker stops
 * </pre>
 */
public final class LoopbackProtocol
{
    /**
     * Start of every field name the listener reserves for itself: a client's field starting so never reaches a
     * worker.
     */
    public static final AsciiString SLUICE_PREFIX = AsciiString.cached("sluice-");

    /**
     * Field carrying the worker's secret, set by the listener on every request (the last field of the head).
     */
    public static final AsciiString SLUICE_TOKEN = AsciiString.cached("sluice-token");

    /**
     * Field carrying a command from the listener instead of a request for the application.
     */
    public static final AsciiString SLUICE_EVENT = AsciiString.cached("sluice-event");

    /**
     * Field naming the path of the URL prefix the listener matched.
     */
    public static final AsciiString SLUICE_APPL_PATH = AsciiString.cached("sluice-appl-path");

    /**
     * Field carrying the readiness probe's challenge.
     */
    public static final AsciiString SLUICE_CHALLENGE = AsciiString.cached("sluice-challenge");

    /**
     * Field carrying the worker's answer to the challenge.
     */
    public static final AsciiString SLUICE_PROOF = AsciiString.cached("sluice-proof");

    /**
     * Field carrying the client's address, set by the listener after the client's fields.
     */
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    /**
     * Field carrying the client's scheme, set by the listener.
     */
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

    /**
     * {@link #SLUICE_EVENT} value asking the worker to stop.
     */
    public static final String SHUTDOWN_EVENT = "shutdown";

    /**
     * {@link #SLUICE_EVENT} value of the listener's readiness probe, which carries no token.
     */
    public static final String READY_EVENT = "ready";

    private LoopbackProtocol()
    {
    }
}
