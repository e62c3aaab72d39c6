package io.sluice.dispatch.worker;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * What a loopback worker checks of a request from the listener before its handler sees it, as pure functions of the
 * request's fields: the token, the readiness probe's challenge and the proof that answers it, and the application
 * path. The fields of the hop never reach the handler: {@link LoopbackRequestFields} takes them aside. One per worker;
 * thread-safe.
 */
final class LoopbackRequestGate
{
    /**
     * Longest challenge answered: {@value} characters.
     */
    static final int MAX_CHALLENGE_LENGTH = 256;

    private static final String HMAC = "HmacSHA256";

    private final byte[] token;
    private final String applicationPath;

    /**
     * @param token           the secret every request must carry, as bytes.
     * @param applicationPath the path the worker serves, ending with {@code /}.
     */
    LoopbackRequestGate(final byte[] token, final String applicationPath)
    {
        this.token = token;
        this.applicationPath = applicationPath;
    }

    /**
     * Compare the presented token with this worker's, character by character as the decoder left it (no copy per
     * request), in time that depends on the worker's token length only: every character is compared, whatever differs.
     * A character outside US-ASCII never matches.
     *
     * @param presented the request's {@code Sluice-Token}, or null.
     * @return true when it is this worker's token.
     */
    boolean tokenMatches(final String presented)
    {
        if (null == presented)
        {
            return false;
        }
        final int presentedLength = presented.length();
        int difference = presentedLength ^ token.length;
        for (int i = 0; i < token.length; i++)
        {
            final int c = i < presentedLength ? presented.charAt(i) : 0;
            difference |= (token[i] & 0xFF) ^ c;
        }
        return 0 == difference;
    }

    /**
     * @param challenge the readiness probe's {@code Sluice-Challenge}, or null.
     * @return true when it is hex digits, at most {@link #MAX_CHALLENGE_LENGTH} of them.
     */
    static boolean isValidChallenge(final String challenge)
    {
        return null != challenge && !challenge.isEmpty() && challenge.length() <= MAX_CHALLENGE_LENGTH &&
            isHex(challenge);
    }

    /**
     * The answer to the readiness probe: the lower-case hex HMAC-SHA256 of the challenge keyed with the token, which
     * proves this process holds the token without sending it.
     *
     * @param challenge a {@link #isValidChallenge valid} challenge.
     * @return the proof.
     * @throws GeneralSecurityException when the JDK cannot compute the HMAC.
     */
    String proof(final String challenge) throws GeneralSecurityException
    {
        final Mac mac = Mac.getInstance(HMAC);
        mac.init(new SecretKeySpec(token, HMAC));
        return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A queue may have several prefixes with different paths, while the environment names the first: the listener
     * says which prefix matched in {@code Sluice-Appl-Path}, trusted because the request carried the token.
     *
     * @param path    the request's normalized path.
     * @param matched the listener's {@code Sluice-Appl-Path}, or null.
     * @return true when the path is the application's.
     */
    boolean isInApplication(final String path, final String matched)
    {
        if (LoopbackPaths.isUnder(path, applicationPath))
        {
            return true;
        }
        return null != matched && LoopbackPaths.isUnder(path, LoopbackPaths.withTrailingSlash(matched));
    }

    private static boolean isHex(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }
        return true;
    }
}
