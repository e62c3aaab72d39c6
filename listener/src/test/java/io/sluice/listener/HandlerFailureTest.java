package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sluice.listener.RawHttpClient.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler that throws, one scenario run against every hosting model (in-process, shared memory, loopback; real
 * listener, real worker processes, real sockets): the client gets the same bytes from each, and the handler's
 * process serves the next request. Thrown before the head was sent: {@code 500 text/plain} with the body
 * {@code internal server error\n}, none of the headers the handler added, the connection kept. Thrown after the head
 * and part of the body: the head and that part, then the connection closes, without the end a complete body would
 * have (no last chunk; fewer bytes than the declared length).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerFailureTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int FIRST_BYTE_WAIT_MS = 10_000;
    private static final int IDLE_WAIT_MS = 300;
    private static final List<String> PATHS = List.of("/inproc/", "/shm/", "/loopback/");
    private static final String HOST = "Host: x\r\n";
    private static final String FAILURE_ANSWER =
        "HTTP/1.1 500 Internal Server Error\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: 22\r\n" +
        "\r\n" +
        "internal server error\n";

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension
        .perClass("handler-failure", TestListener.allModelsConfig(FailingHandler.class.getName()))
        .awaitReady(READY_TIMEOUT_MS, PATHS.toArray(new String[0]));

    static Stream<Arguments> failures()
    {
        final String partialHead =
            "HTTP/1.1 200 OK\r\n" +
            "content-type: text/plain\r\n" +
            "x-handler: failing\r\n";
        return Stream.of(
            Arguments.of("GET %sthrow HTTP/1.1\r\n" + HOST + "\r\n", FAILURE_ANSWER, false),
            Arguments.of(
                "POST %sthrow-body HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\n\r\nabc", FAILURE_ANSWER, false),
            Arguments.of(
                "POST %sthrow-body HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                FAILURE_ANSWER, false),
            Arguments.of(
                "GET %sthrow-after-head HTTP/1.1\r\n" + HOST + "\r\n",
                partialHead + "transfer-encoding: chunked\r\n\r\n7\r\n" + FailingHandler.PARTIAL_BODY + "\r\n", true),
            Arguments.of(
                "GET %sthrow-after-head-length HTTP/1.1\r\n" + HOST + "\r\n",
                partialHead + "content-length: " + FailingHandler.DECLARED_LENGTH + "\r\n\r\n" +
                FailingHandler.PARTIAL_BODY, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void shouldAnswerAHandlerThatThrowsAlikeInEveryModelAndServeTheNextRequest(
        final String requestTemplate, final String expected, final boolean closed) throws Exception
    {
        final List<String> received = new ArrayList<>();
        for (final String path : PATHS)
        {
            final long pidBefore = pid(path);

            final RawHttpClient.Received answer =
                RawHttpClient.exchange(LISTENER.port(), ascii(requestTemplate.formatted(path)), FIRST_BYTE_WAIT_MS,
                    IDLE_WAIT_MS);

            final String text = withoutDate(answer.text());
            assertEquals(expected, text, path);
            assertEquals(closed, answer.closed(), path + ": connection closed");
            received.add(text);
            assertEquals(pidBefore, pid(path), path + ": the process that ran the handler serves the next request");
        }
        assertEquals(1, received.stream().distinct().count(), "the same bytes from every model: " + received);
    }

    @Test
    void shouldRunOutOfProcessHandlersInWorkerProcesses() throws Exception
    {
        final long listenerPid = ProcessHandle.current().pid();
        assertEquals(listenerPid, pid("/inproc/"));
        assertNotEquals(listenerPid, pid("/shm/"));
        assertNotEquals(listenerPid, pid("/loopback/"));
    }

    private static long pid(final String path) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(path + "pid", LISTENER.port()));
            assertEquals(200, response.status(), response::toString);
            return Long.parseLong(response.bodyText());
        }
    }

    private static String withoutDate(final String response)
    {
        final int date = response.indexOf("\r\ndate: ");
        assertTrue(date > 0, response);
        final int end = response.indexOf("\r\n", date + 2);
        return response.substring(0, date) + response.substring(end);
    }
}
