package io.sluice.listener.queue;

/**
 * Why the listener refused a request, answered in a handler's place, or closed a connection: the reason written to
 * the error log, named as HTTP.sys names it in its {@code httperr} log. Every place that answers 400, 408, 413, 414,
 * 431, 500, 502, 503 or 504 itself, or closes a connection for a timer, names one of these.
 */
public enum ErrorReason
{
    /**
     * A malformed request: request line, field syntax, framing, target or path segments (400).
     */
    BAD_REQUEST("BadRequest"),

    /**
     * A missing, repeated or invalid {@code Host} field, or an invalid absolute-form authority (400).
     */
    HOSTNAME("Hostname"),

    /**
     * The request line or request-target was over its limit (414).
     */
    URL_LENGTH("URL_Length"),

    /**
     * One header field line was over {@code maxFieldLength} (431).
     */
    FIELD_LENGTH("FieldLength"),

    /**
     * The request line and header section together were over {@code maxRequestBytes} (431).
     */
    REQUEST_LENGTH("RequestLength"),

    /**
     * The request body was over the body limit (413).
     */
    ENTITY_TOO_LARGE("EntityTooLarge"),

    /**
     * No URL prefix matched the request (404).
     */
    NOT_FOUND("NotFound"),

    /**
     * A method the listener does not hand on ({@code TRACE} 405, {@code CONNECT} 501).
     */
    VERB("Verb"),

    /**
     * A transfer coding or an expectation the listener does not implement (501, 417).
     */
    NOT_IMPLEMENTED("N/I"),

    /**
     * The request head was not complete within {@code headerWait} (408).
     */
    TIMER_HEADER_WAIT("Timer_HeaderWait"),

    /**
     * The request body stalled past {@code entityBody} (408), or its rest was not drained within
     * {@code drainEntityBody} after an early answer (close).
     */
    TIMER_ENTITY_BODY("Timer_EntityBody"),

    /**
     * The client took a response slower than {@code minSendRate} (close).
     */
    TIMER_MIN_BYTES_PER_SECOND("Timer_MinBytesPerSecond"),

    /**
     * The connection stayed idle past {@code idleConnection} (close).
     */
    TIMER_CONNECTION_IDLE("Timer_ConnectionIdle"),

    /**
     * The request queue was full (503).
     */
    QUEUE_FULL("QueueFull"),

    /**
     * No worker took the request within {@code queueWait} (503).
     */
    TIMER_QUEUE_WAIT("Timer_QueueWait"),

    /**
     * The queue is stopped: its workers failed to start or failed too often, or it is being stopped (503).
     */
    APP_OFFLINE("AppOffline"),

    /**
     * The worker holding the request died or dropped its connection before answering (502).
     */
    CONNECTION_ABANDONED_BY_WORKER("Connection_Abandoned_By_Worker"),

    /**
     * The worker did not answer within {@code requestTimeout} (504).
     */
    TIMER_REQUEST_TIMEOUT("Timer_RequestTimeout"),

    /**
     * The handler or worker sent an invalid response: a bad status, header field or framing, or broke the ring
     * protocol (502).
     */
    WORKER_PROTOCOL_ERROR("Worker_Protocol_Error"),

    /**
     * The handler failed (500).
     */
    INTERNAL("Internal"),

    /**
     * An HTTP/2 connection closed with {@code GOAWAY} for a connection error: a frame that breaks the protocol, or a
     * flood limit passed (rapid reset, CONTINUATION, SETTINGS/PING, empty DATA) (close). HTTP.sys's {@code httperr}
     * list has no name for it.
     */
    HTTP2_PROTOCOL_ERROR("Http2_Protocol_Error"),

    /**
     * An HTTP/2 stream refused with {@code RST_STREAM REFUSED_STREAM}, as it would have passed the connection's
     * {@code maxConcurrentStreams} (no status; the client may retry it). HTTP.sys's {@code httperr} list has no name
     * for it.
     */
    HTTP2_REFUSED_STREAM("Http2_Refused_Stream");

    private final String logName;

    ErrorReason(final String logName)
    {
        this.logName = logName;
    }

    /**
     * @return the reason as written in the error log, e.g. {@code Timer_HeaderWait}.
     */
    public String logName()
    {
        return logName;
    }

    /**
     * The reason a listener answer of this status has when its caller names none.
     *
     * @param status the answer's status.
     * @return its usual reason.
     */
    public static ErrorReason ofStatus(final int status)
    {
        return switch (status)
        {
            case 404 -> NOT_FOUND;
            case 405 -> VERB;
            case 408 -> TIMER_HEADER_WAIT;
            case 413 -> ENTITY_TOO_LARGE;
            case 414 -> URL_LENGTH;
            case 417, 501 -> NOT_IMPLEMENTED;
            case 431 -> REQUEST_LENGTH;
            case 500 -> INTERNAL;
            case 502 -> WORKER_PROTOCOL_ERROR;
            case 503 -> QUEUE_FULL;
            case 504 -> TIMER_REQUEST_TIMEOUT;
            default -> BAD_REQUEST;
        };
    }
}
