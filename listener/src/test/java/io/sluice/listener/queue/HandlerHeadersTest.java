package io.sluice.listener.queue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandlerHeadersTest
{
    @Test
    void shouldRemoveConnectionFieldsAndThoseConnectionNamesKeepingTheOrderOfTheRest()
    {
        final HttpHeaders headers = new DefaultHttpHeaders()
            .add("Connection", "keep-alive, X-Private")
            .add("Host", "a.example")
            .add("X-Private", "p")
            .add("Keep-Alive", "timeout=5")
            .add("Accept", "*/*")
            .add("TE", "trailers")
            .add("Trailer", "X-T")
            .add("Upgrade", "h2c")
            .add("Proxy-Connection", "keep-alive")
            .add("Expect", "100-continue")
            .add("Content-Length", "3")
            .add("X-Custom", "v");

        HandlerHeaders.strip(headers, 3);

        assertEquals(
            List.of("Host: a.example", "Accept: */*", "Content-Length: 3", "X-Custom: v"), lines(headers));
    }

    @Test
    void shouldRemoveTransferEncodingOfAChunkedBody()
    {
        final HttpHeaders headers = new DefaultHttpHeaders()
            .add("Host", "a.example")
            .add("Transfer-Encoding", "chunked")
            .add("Content-Type", "text/plain");

        HandlerHeaders.strip(headers, -1);

        assertEquals(List.of("Host: a.example", "Content-Type: text/plain"), lines(headers));
    }

    @Test
    void shouldWriteContentLengthWithoutLeadingZerosInPlace()
    {
        final HttpHeaders headers = new DefaultHttpHeaders()
            .add("Host", "a.example")
            .add("Content-Length", "007")
            .add("Accept", "*/*");

        HandlerHeaders.strip(headers, 7);

        assertEquals(List.of("Host: a.example", "Content-Length: 7", "Accept: */*"), lines(headers));
    }

    @Test
    void shouldReplaceHostInPlace()
    {
        final HttpHeaders headers = new DefaultHttpHeaders()
            .add("Accept", "*/*")
            .add("Host", "client.example")
            .add("X-Custom", "v");

        HandlerHeaders.replaceHost(headers, "target.example:81");

        assertEquals(List.of("Accept: */*", "Host: target.example:81", "X-Custom: v"), lines(headers));
    }

    @Test
    void shouldAddHostLastWhenClientSentNone()
    {
        final HttpHeaders headers = new DefaultHttpHeaders().add("Accept", "*/*");

        HandlerHeaders.replaceHost(headers, "target.example");

        assertEquals(List.of("Accept: */*", "host: target.example"), lines(headers));
    }

    private static List<String> lines(final HttpHeaders headers)
    {
        return headers.entries().stream().map((final Map.Entry<String, String> e) -> e.getKey() + ": " + e.getValue())
            .toList();
    }

    @Test
    void shouldTellTheFieldNamesReservedForTheListenerInAnyCaseAndWithUnderscoreForDash()
    {
        for (final String name : List.of(
            "Sluice-Token", "sluice-event", "SLUICE_APPL_PATH", "Sluice-", "X-Forwarded-For", "x_forwarded_FOR",
            "X-Forwarded-Proto", "x-forwarded_proto"))
        {
            assertTrue(HandlerHeaders.isInternalFieldName(name), name);
        }
        for (final String name : List.of("Sluice", "Sluicer", "X-Sluice", "X-Forwarded-Host", "X-Forwarded-Fo",
            "X-Forwarded-Forx", "Host", ""))
        {
            assertFalse(HandlerHeaders.isInternalFieldName(name), name);
        }
    }
}
