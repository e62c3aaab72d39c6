package io.sluice.dispatch.http;

/**
 * Turns an origin-form request-target into the normalized path the listener routes by, or rejects it. The listener
 * and the worker SDK share it, so {@link io.sluice.dispatch.worker.Exchange#path()} is the path the request was routed
 * by, in every hosting model. Stateless and thread-safe.
 * <p>
 * Steps, in order:
 * <ol>
 *     <li>the target must start with {@code /}; a {@code #} anywhere rejects it; the query, from the first
 *     {@code ?}, is dropped;</li>
 *     <li>{@code %XX} escapes (hex, either case) are decoded; a malformed escape, or one that decodes to {@code /},
 *     {@code \} or a control character (including NUL), rejects the target. A literal {@code \} becomes {@code /}.
 *     A literal char 0x80..0xFF is taken as one raw byte, as Netty's decoder hands request-line bytes over;</li>
 *     <li>the bytes are decoded as UTF-8; invalid UTF-8 (overlong forms, surrogates, truncated sequences) or a
 *     literal or decoded control character (C0, DEL or C1) rejects the target;</li>
 *     <li>{@code .} and {@code ..} segments are removed as in RFC 3986 5.2.4, also when spelled {@code %2E};
 *     a {@code ..} that would climb above the root rejects the target.</li>
 * </ol>
 * Duplicate slashes are kept and case is kept; the listener's router compares ASCII case-insensitively.
 * <p>
 * Cost model: a target without {@code %}, {@code \}, {@code #}, a segment starting with {@code .}, control or
 * non-ASCII characters takes the fast path: one scan, and the returned path is the target itself when it is a
 * {@link String} without a query, else one substring. Other targets allocate a few arrays of the target's length.
 */
public final class PathNormalizer
{
    private static final int NOT_HEX = -1;
    private static final int INVALID = -1;
    private static final int MAX_RAW_BYTE = 0xFF;
    private static final int DEL = 0x7F;
    private static final int MIN_PRINTABLE = 0x20;
    private static final int MIN_C1_CONTROL = 0x80;
    private static final int MAX_C1_CONTROL = 0x9F;

    private PathNormalizer()
    {
    }

    /**
     * Normalize an origin-form request-target.
     *
     * @param rawTarget the request-target as received, e.g. {@code /app/a/../b?x=1}.
     * @return the normalized path without the query, e.g. {@code /app/b}, or null when the request must be answered
     * with 400.
     */
    public static String normalize(final CharSequence rawTarget)
    {
        if (null == rawTarget || rawTarget.length() == 0 || rawTarget.charAt(0) != '/')
        {
            return null;
        }

        final int length = rawTarget.length();
        int pathEnd = length;
        boolean simple = true;
        for (int i = 0; i < length; i++)
        {
            final char c = rawTarget.charAt(i);
            if (c == '#')
            {
                return null;
            }
            if (c == '?' && pathEnd == length)
            {
                pathEnd = i;
            }
            else if (pathEnd == length && simple && needsSlowPath(rawTarget, i, c))
            {
                simple = false;
            }
        }

        if (simple)
        {
            if (pathEnd == length)
            {
                return rawTarget.toString();
            }
            return rawTarget.subSequence(0, pathEnd).toString();
        }

        return normalizeSlow(rawTarget, pathEnd);
    }

    /**
     * The path a handler is given ({@code io.sluice.dispatch.worker.Exchange#path()}).
     *
     * @param target an origin-form request-target.
     * @return its normalized path, as {@link #normalize(CharSequence)}; its raw path without the query in the one
     * case the normalizer refuses it (a target the listener answers 400 itself, so never one it routed).
     */
    public static String pathOf(final String target)
    {
        final String path = normalize(target);
        if (null != path)
        {
            return path;
        }
        final int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /**
     * Check a normalized path against HTTP.sys's segment limits (UrlSegmentMaxLength, UrlSegmentMaxCount). Every
     * {@code /} starts a segment: {@code /} has one (empty) segment, {@code /a/b} two, {@code /a/} two.
     *
     * @param path             a path returned by {@link #normalize(CharSequence)}.
     * @param maxSegmentLength most characters (UTF-16 units) in one segment.
     * @param maxSegmentCount  most segments.
     * @return true when the path is within both limits; false when the request must be answered with 400.
     */
    public static boolean isWithinSegmentLimits(
        final CharSequence path, final int maxSegmentLength, final int maxSegmentCount)
    {
        final int length = path.length();
        int segmentCount = 0;
        int segmentStart = 0;
        for (int i = 0; i <= length; i++)
        {
            if (i == length || path.charAt(i) == '/')
            {
                if (i > 0 && i - segmentStart - 1 > maxSegmentLength)
                {
                    return false;
                }
                if (i < length && ++segmentCount > maxSegmentCount)
                {
                    return false;
                }
                segmentStart = i;
            }
        }
        return true;
    }

    private static boolean needsSlowPath(final CharSequence target, final int index, final char c)
    {
        // Only a '.' that starts a segment can be part of a dot segment; "/index.html" stays on the fast path.
        return c == '%' || c == '\\' || c < MIN_PRINTABLE || c >= DEL || (c == '.' && target.charAt(index - 1) == '/');
    }

    private static String normalizeSlow(final CharSequence target, final int pathEnd)
    {
        final byte[] bytes = new byte[pathEnd];
        final int byteCount = percentDecode(target, pathEnd, bytes);
        if (INVALID == byteCount)
        {
            return null;
        }

        final char[] chars = new char[byteCount];
        final int charCount = utf8Decode(bytes, byteCount, chars);
        if (INVALID == charCount)
        {
            return null;
        }

        final char[] out = new char[charCount + 1];
        final int outLength = removeDotSegments(chars, charCount, out);
        if (INVALID == outLength)
        {
            return null;
        }
        return new String(out, 0, outLength);
    }

    private static int percentDecode(final CharSequence target, final int end, final byte[] bytes)
    {
        int count = 0;
        int i = 0;
        while (i < end)
        {
            final char c = target.charAt(i);
            if (c == '%')
            {
                if (i + 2 >= end)
                {
                    return INVALID;
                }
                final int high = hexValue(target.charAt(i + 1));
                final int low = hexValue(target.charAt(i + 2));
                if (NOT_HEX == high || NOT_HEX == low)
                {
                    return INVALID;
                }
                final int b = (high << 4) | low;
                if (b == '/' || b == '\\' || b < MIN_PRINTABLE || b == DEL)
                {
                    return INVALID;
                }
                bytes[count++] = (byte)b;
                i += 3;
            }
            else
            {
                if (c < MIN_PRINTABLE || c == DEL || c > MAX_RAW_BYTE)
                {
                    return INVALID;
                }
                bytes[count++] = (byte)(c == '\\' ? '/' : c);
                i++;
            }
        }
        return count;
    }

    private static int hexValue(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return NOT_HEX;
    }

    private static int utf8Decode(final byte[] bytes, final int byteCount, final char[] chars)
    {
        int count = 0;
        int i = 0;
        while (i < byteCount)
        {
            final int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80)
            {
                chars[count++] = (char)b0;
                i++;
                continue;
            }

            final int sequenceLength;
            final int min;
            int codePoint;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                sequenceLength = 2;
                min = 0x80;
                codePoint = b0 & 0x1F;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                sequenceLength = 3;
                min = 0x800;
                codePoint = b0 & 0x0F;
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                sequenceLength = 4;
                min = 0x10000;
                codePoint = b0 & 0x07;
            }
            else
            {
                return INVALID;
            }

            if (i + sequenceLength > byteCount)
            {
                return INVALID;
            }
            for (int j = 1; j < sequenceLength; j++)
            {
                final int b = bytes[i + j] & 0xFF;
                if ((b & 0xC0) != 0x80)
                {
                    return INVALID;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
            }

            if (codePoint < min || codePoint > Character.MAX_CODE_POINT ||
                (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) ||
                (codePoint >= MIN_C1_CONTROL && codePoint <= MAX_C1_CONTROL))
            {
                return INVALID;
            }

            count += Character.toChars(codePoint, chars, count);
            i += sequenceLength;
        }
        return count;
    }

    // RFC 3986 5.2.4 over whole segments: out holds "/s1/s2..." without a trailing slash until the end.
    private static int removeDotSegments(final char[] in, final int length, final char[] out)
    {
        int outLength = 0;
        int segmentStart = 1;
        boolean endsInDirectory = false;
        while (segmentStart <= length)
        {
            int segmentEnd = segmentStart;
            while (segmentEnd < length && in[segmentEnd] != '/')
            {
                segmentEnd++;
            }

            final int segmentLength = segmentEnd - segmentStart;
            if (segmentLength == 1 && in[segmentStart] == '.')
            {
                endsInDirectory = true;
            }
            else if (segmentLength == 2 && in[segmentStart] == '.' && in[segmentStart + 1] == '.')
            {
                if (outLength == 0)
                {
                    return INVALID;
                }
                do
                {
                    outLength--;
                }
                while (out[outLength] != '/');
                endsInDirectory = true;
            }
            else
            {
                out[outLength++] = '/';
                System.arraycopy(in, segmentStart, out, outLength, segmentLength);
                outLength += segmentLength;
                endsInDirectory = false;
            }

            segmentStart = segmentEnd + 1;
        }

        if (endsInDirectory || outLength == 0)
        {
            out[outLength++] = '/';
        }
        return outLength;
    }
}
