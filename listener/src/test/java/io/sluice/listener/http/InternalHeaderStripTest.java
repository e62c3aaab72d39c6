package io.sluice.listener.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class InternalHeaderStripTest
{
    @Test
    void shouldDropClientSentSluiceAndForwardedFieldsWhateverTheirCase()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(new StrictDecoderConfig()));
        final String head = "GET /shm/ HTTP/1.1\r\nHost: a\r\nSluice-Token: forged\r\nSLUICE-APPL-PATH: /x/\r\n" +
            "sluice-event: shutdown\r\nSluice-Anything: x\r\nX-Sluice: kept\r\nSluicer: kept\r\n" +
            "X-Forwarded-For: 6.6.6.6\r\n" +
            "x-forwarded-proto: https\r\nX-Forwarded-Host: kept\r\n\r\n";
        channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));

        final HttpRequest request = channel.readInbound();
        final LastHttpContent last = channel.readInbound();
        last.release();
        channel.finishAndReleaseAll();

        assertTrue(request.decoderResult().isSuccess());
        final List<String> names = request.headers().names().stream().sorted().toList();
        assertEquals(List.of("Host", "Sluicer", "X-Forwarded-Host", "X-Sluice"), names);
    }

    @Test
    void shouldDropFieldsWhoseNamesReadAsInternalOnesWithUnderscoreForDash()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(new StrictDecoderConfig()));
        final String head = "GET /shm/ HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 6.6.6.6\r\n" +
            "x_FORWARDED-proto: https\r\n" +
            "Sluice_Appl_Path: /x/\r\nsluice_token: forged\r\nSLUICE_EVENT: shutdown\r\nX_Forwarded_Host: kept\r\n" +
            "Sluice: kept\r\nX_Sluice_Token: kept\r\n\r\n";
        channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));

        final HttpRequest request = channel.readInbound();
        final LastHttpContent last = channel.readInbound();
        last.release();
        channel.finishAndReleaseAll();

        assertTrue(request.decoderResult().isSuccess());
        final List<String> names = request.headers().names().stream().sorted().toList();
        assertEquals(List.of("Host", "Sluice", "X_Forwarded_Host", "X_Sluice_Token"), names);
    }
}
