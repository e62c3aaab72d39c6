package io.sluice.dispatch.worker;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackRequestGateTest
{
    private static final String TOKEN = "3f9a0c77e1d24b58a6c0f1e2d3c4b5a6";
    private final LoopbackRequestGate gate =
        new LoopbackRequestGate(TOKEN.getBytes(StandardCharsets.US_ASCII), "/app/");

    @Test
    void shouldMatchTheWorkersToken()
    {
        assertTrue(gate.tokenMatches(TOKEN));
        assertTrue(gate.tokenMatches(new String(TOKEN.toCharArray())));
    }

    @Test
    void shouldRefuseAMissingOrEmptyToken()
    {
        assertFalse(gate.tokenMatches(null));
        assertFalse(gate.tokenMatches(""));
    }

    @Test
    void shouldRefuseAPrefixOrAnExtensionOfTheToken()
    {
        assertFalse(gate.tokenMatches(TOKEN.substring(0, TOKEN.length() - 1)));
        assertFalse(gate.tokenMatches(TOKEN + "0"));
        assertFalse(gate.tokenMatches(TOKEN + "\0"));
    }

    @Test
    void shouldRefuseATokenThatDiffersInOneCharacterAnywhere()
    {
        for (int i = 0; i < TOKEN.length(); i++)
        {
            final char[] chars = TOKEN.toCharArray();
            chars[i] = chars[i] == 'a' ? 'b' : 'a';
            assertFalse(gate.tokenMatches(new String(chars)), "differs at " + i);
            chars[i] = Character.toUpperCase(TOKEN.charAt(i));
            if (chars[i] != TOKEN.charAt(i))
            {
                assertFalse(gate.tokenMatches(new String(chars)), "case differs at " + i);
            }
        }
    }

    @Test
    void shouldRefuseACharacterOutsideAsciiEvenWhereItsLowByteMatches()
    {
        final byte[] withQuestionMark = "ab?d".getBytes(StandardCharsets.US_ASCII);
        final LoopbackRequestGate questionGate = new LoopbackRequestGate(withQuestionMark, "/");
        assertTrue(questionGate.tokenMatches("ab?d"));
        // U+00E9 is not US-ASCII (an encoder would turn it into '?'); U+013F has the low byte of '?'
        assertFalse(questionGate.tokenMatches("ab\u00e9d"));
        assertFalse(questionGate.tokenMatches("ab\u013fd"));
    }
}
