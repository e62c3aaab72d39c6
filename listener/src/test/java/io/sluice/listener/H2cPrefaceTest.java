package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * h2c with prior knowledge on a cleartext port: the HTTP/2 preface is recognised however it is split over TCP
 * segments, and bytes that only begin like it ({@code P...}) stay HTTP/1.1.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class H2cPrefaceTest
{
    private static final long WAIT_S = 10;
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2c", CONFIG);

    @Test
    void shouldSpeakHttp2WhenThePrefaceArrivesOneByteAtATime() throws Exception
    {
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 0, true, true))
        {
            connection.headers(1, RawHttp2Connection.request("GET", "/inproc/"), true);

            assertEquals(200, connection.status(1).get(WAIT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldSpeakHttp11ToARequestThatBeginsLikeThePreface() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response post = client.send(
                RawHttpClient.post("/inproc/echo", LISTENER.port(), "text/plain", RawHttpClient.ascii("PRI")));
            assertEquals(200, post.status(), post::toString);
            assertEquals("PRI", post.bodyText());

            final RawHttpClient.Response pri = client.send(RawHttpClient.ascii(
                "PRI * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            // an HTTP/1.1 request like any other: asterisk-form is for OPTIONS only
            assertEquals(400, pri.status(), pri::toString);
            assertEquals("bad request: invalid request target\n", pri.bodyText());
        }
    }
}
