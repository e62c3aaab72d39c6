package io.sluice.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The request the micro-benchmarks share, so that their figures describe the same request: a browser-like GET with
 * 8 headers (about 300 bytes as a ring message) and a POST of a JSON body. Immutable.
 */
final class TypicalRequest
{
    /**
     * Method of the GET.
     */
    static final String GET_METHOD = "GET";

    /**
     * Request-target of the GET, with a query.
     */
    static final String GET_TARGET = "/app/orders/12345?view=full";

    /**
     * The GET's path as {@link io.sluice.dispatch.http.PathNormalizer} returns it.
     */
    static final String GET_PATH = "/app/orders/12345";

    /**
     * Method of the POST.
     */
    static final String POST_METHOD = "POST";

    /**
     * Request-target of the POST.
     */
    static final String POST_TARGET = "/app/orders";

    /**
     * Client address the listener reports.
     */
    static final String REMOTE_ADDRESS = "192.168.1.20";

    /**
     * Client port the listener reports.
     */
    static final int REMOTE_PORT = 52344;

    /**
     * Request id the listener chose.
     */
    static final long REQUEST_ID = 0x5EED_0000_0042L;

    /**
     * The GET's header names, as a browser sends them.
     */
    static final String[] GET_HEADER_NAMES =
    {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "X-Request-Id", "Cookie"
    };

    /**
     * The GET's header values, in the order of {@link #GET_HEADER_NAMES}.
     */
    static final String[] GET_HEADER_VALUES =
    {
        "api.example.com:8080",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        "*/*",
        "gzip, br",
        "en-US",
        "keep-alive",
        "9f1c2a7e4b3d8e60",
        "sid=1f3a9c",
    };

    private TypicalRequest()
    {
    }

    /**
     * @return the GET as HTTP/1.1 bytes on the wire.
     */
    static byte[] getWire()
    {
        final StringBuilder text = new StringBuilder()
            .append(GET_METHOD).append(' ').append(GET_TARGET).append(" HTTP/1.1\r\n");
        for (int i = 0; i < GET_HEADER_NAMES.length; i++)
        {
            text.append(GET_HEADER_NAMES[i]).append(": ").append(GET_HEADER_VALUES[i]).append("\r\n");
        }
        return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * @param bodyLength of the JSON body.
     * @return a POST of that body, with content-length, as HTTP/1.1 bytes on the wire.
     */
    static byte[] postWire(final int bodyLength)
    {
        final String head = POST_METHOD + ' ' + POST_TARGET + " HTTP/1.1\r\n" +
            "Host: " + GET_HEADER_VALUES[0] + "\r\n" +
            "User-Agent: " + GET_HEADER_VALUES[1] + "\r\n" +
            "Accept: application/json\r\n" +
            "Content-Type: application/json\r\n" +
            "Content-Length: " + bodyLength + "\r\n" +
            "Connection: keep-alive\r\n" +
            "X-Request-Id: " + GET_HEADER_VALUES[6] + "\r\n" +
            "\r\n";
        final ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + bodyLength);
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(jsonBody(bodyLength));
        return out.toByteArray();
    }

    private static byte[] jsonBody(final int length)
    {
        final byte[] body = new byte[length];
        final byte[] open = "{\"items\":\"".getBytes(StandardCharsets.US_ASCII);
        final byte[] close = "\"}".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++)
        {
            body[i] = (byte)('a' + i % 26);
        }
        if (length >= open.length + close.length)
        {
            System.arraycopy(open, 0, body, 0, open.length);
            System.arraycopy(close, 0, body, length - close.length, close.length);
        }
        return body;
    }
}
