package io.sluice.dispatch.websocket;

import io.sluice.dispatch.worker.Exchange;
import org.agrona.DirectBuffer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Exchange} that records the answer: status, response headers, body bytes, whether it ended; its send window
 * is open or shut as the test says.
 */
final class RecordingExchange implements Exchange
{
    final Map<String, String> requestHeaders = new LinkedHashMap<>();
    final Map<String, String> responseHeaders = new LinkedHashMap<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final List<Integer> sendBodyLengths = new ArrayList<>();
    String method = "GET";
    int status;
    long contentLength;
    boolean ended;
    boolean windowOpen = true;
    private Object attachment;

    static RecordingExchange upgrade(final String key)
    {
        final RecordingExchange exchange = new RecordingExchange();
        exchange.requestHeaders.put("host", "127.0.0.1");
        exchange.requestHeaders.put("upgrade", "websocket");
        exchange.requestHeaders.put("sec-websocket-version", "13");
        exchange.requestHeaders.put("sec-websocket-key", key);
        return exchange;
    }

    public String method()
    {
        return method;
    }

    public String target()
    {
        return "/ws";
    }

    public String header(final String name)
    {
        return requestHeaders.get(name.toLowerCase());
    }

    public int headerCount()
    {
        return requestHeaders.size();
    }

    public String headerName(final int index)
    {
        return new ArrayList<>(requestHeaders.keySet()).get(index);
    }

    public String headerValue(final int index)
    {
        return new ArrayList<>(requestHeaders.values()).get(index);
    }

    public long contentLength()
    {
        return UNKNOWN_LENGTH;
    }

    public String remoteAddress()
    {
        return "127.0.0.1";
    }

    public Exchange responseHeader(final String name, final String value)
    {
        responseHeaders.put(name, value);
        return this;
    }

    public void respond(final int status, final String contentType, final DirectBuffer buffer, final int offset,
        final int length)
    {
        this.status = status;
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        body.writeBytes(bytes);
        ended = true;
    }

    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        this.status = status;
        this.contentLength = contentLength;
    }

    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (ended)
        {
            throw new IllegalStateException("sendBody after the end");
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        body.writeBytes(bytes);
        sendBodyLengths.add(length);
        ended = last;
        return windowOpen;
    }

    public boolean isWritable()
    {
        return windowOpen;
    }

    public Object attachment()
    {
        return attachment;
    }

    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return the body sent so far, and forget it.
     */
    byte[] takeBody()
    {
        final byte[] bytes = body.toByteArray();
        body.reset();
        return bytes;
    }
}
