package io.sluice.listener.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;

import java.util.Arrays;

/**
 * The RFC 9110/9112 grammar {@link StrictRequestDecoder} checks bytes against, with no state: the character classes
 * as a table indexed by byte ({@code tchar}, {@code VCHAR}, field-value characters, {@code qdtext}), hex digit values,
 * the request line's method and version, chunk-size lines with their extensions, and the byte helpers the decoder
 * scans a line with. Common methods and header names are shared constants, so a request that uses them allocates no
 * name. A violation is thrown as an {@link HttpStatusException} carrying its status (400, or 505 for a version).
 */
final class HttpGrammar
{
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';
    static final byte DQUOTE = '"';
    static final byte BACKSLASH = '\\';

    static final int TCHAR = 1;
    static final int VCHAR = 2;
    static final int FIELD_CHAR = 4;
    static final int QDTEXT = 8;
    private static final byte[] CHAR_CLASS = new byte[256];
    private static final byte[] HEX_VALUE = new byte[256];

    private static final byte[] HTTP_SLASH = ascii("HTTP/");
    static final byte[] CHUNKED = ascii("chunked");
    static final byte[] CLOSE = ascii("close");
    static final byte[] KEEP_ALIVE = ascii("keep-alive");
    static final byte[] UPGRADE = ascii("upgrade");

    private static final HttpMethod[] KNOWN_METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.OPTIONS,
        HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT, HttpMethod.QUERY };

    private static final AsciiString[][] KNOWN_NAMES_BY_LENGTH = knownNamesByLength(
        HttpHeaderNames.HOST, HttpHeaderNames.ACCEPT, HttpHeaderNames.CONNECTION, HttpHeaderNames.CONTENT_TYPE,
        HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.USER_AGENT,
        HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.ACCEPT_LANGUAGE, HttpHeaderNames.COOKIE,
        HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.UPGRADE, HttpHeaderNames.EXPECT, HttpHeaderNames.REFERER,
        HttpHeaderNames.ORIGIN, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.IF_NONE_MATCH,
        HttpHeaderNames.IF_MODIFIED_SINCE,
        AsciiString.cached("Host"), AsciiString.cached("Accept"), AsciiString.cached("Connection"),
        AsciiString.cached("Content-Type"), AsciiString.cached("Content-Length"),
        AsciiString.cached("Transfer-Encoding"), AsciiString.cached("User-Agent"),
        AsciiString.cached("Accept-Encoding"), AsciiString.cached("Accept-Language"), AsciiString.cached("Cookie"),
        AsciiString.cached("Cache-Control"), AsciiString.cached("Upgrade"), AsciiString.cached("Expect"),
        AsciiString.cached("Referer"), AsciiString.cached("Origin"), AsciiString.cached("Authorization"),
        AsciiString.cached("If-None-Match"), AsciiString.cached("If-Modified-Since"));

    static
    {
        final String tcharSymbols = "!#$%&'*+-.^_`|~";
        for (int c = 0; c < 256; c++)
        {
            int cls = 0;
            final boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (alnum || (c < 128 && tcharSymbols.indexOf(c) >= 0))
            {
                cls |= TCHAR;
            }
            if (c >= 0x21 && c <= 0x7E)
            {
                cls |= VCHAR;
            }
            if (c == HTAB || c == SP || (c >= 0x21 && c <= 0x7E) || c >= 0x80)
            {
                cls |= FIELD_CHAR;
            }
            if (c == HTAB || c == SP || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80)
            {
                cls |= QDTEXT;
            }
            CHAR_CLASS[c] = (byte)cls;
            HEX_VALUE[c] = (byte)Character.digit(c, 16);
        }
    }

    private HttpGrammar()
    {
    }

    /**
     * @param bytes  a request line, the method first.
     * @param length of the method token.
     * @return the method: a shared constant for a common one.
     */
    static HttpMethod method(final byte[] bytes, final int length)
    {
        for (final HttpMethod known : KNOWN_METHODS)
        {
            if (equalsExactly(bytes, 0, length, known.asciiName()))
            {
                return known;
            }
        }
        try
        {
            return HttpMethod.valueOf(new String(bytes, 0, length, CharsetUtil.ISO_8859_1));
        }
        catch (final IllegalArgumentException ex)
        {
            throw badRequest("invalid method: " + ex.getMessage());
        }
    }

    /**
     * @param bytes a request line.
     * @param start of the HTTP-version.
     * @param end   of the line, before CRLF.
     * @return HTTP/1.1 or HTTP/1.0; another {@code HTTP/d.d} is refused with 505, anything else with 400.
     */
    static HttpVersion version(final byte[] bytes, final int start, final int end)
    {
        if (end - start == HTTP_SLASH.length + 3 &&
            Arrays.equals(bytes, start, start + HTTP_SLASH.length, HTTP_SLASH, 0, HTTP_SLASH.length) &&
            isDigit(bytes[start + 5]) && '.' == bytes[start + 6] && isDigit(bytes[start + 7]))
        {
            if ('1' == bytes[start + 5] && '1' == bytes[start + 7])
            {
                return HttpVersion.HTTP_1_1;
            }
            if ('1' == bytes[start + 5] && '0' == bytes[start + 7])
            {
                return HttpVersion.HTTP_1_0;
            }
            throw new HttpStatusException(505, "HTTP version not supported: " +
                new String(bytes, start, end - start, CharsetUtil.ISO_8859_1));
        }
        throw badRequest("invalid request line: HTTP-version is not HTTP/1.1 or HTTP/1.0 followed by CRLF");
    }

    /**
     * @param bytes a chunk-size line.
     * @param end   of the line, before CRLF.
     * @return the chunk size: at most {@link StrictRequestDecoder#MAX_CHUNK_SIZE_DIGITS} hex digits, then valid
     * chunk extensions.
     */
    static long parseChunkSizeLine(final byte[] bytes, final int end)
    {
        long size = 0;
        int index = 0;
        while (index < end)
        {
            final int digit = HEX_VALUE[bytes[index] & 0xFF];
            if (digit < 0)
            {
                break;
            }
            size = (size << 4) | digit;
            index++;
        }
        if (0 == index)
        {
            throw badRequest("invalid chunk size: no hex digits");
        }
        if (index > StrictRequestDecoder.MAX_CHUNK_SIZE_DIGITS || size < 0)
        {
            throw badRequest("invalid chunk size: too large");
        }
        parseChunkExtensions(bytes, index, end);
        return size;
    }

    /**
     * RFC 9112 7.1.1: {@code *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )}, the value a token or a
     * quoted-string.
     */
    static void parseChunkExtensions(final byte[] bytes, final int start, final int end)
    {
        int index = start;
        while (index < end)
        {
            index = skipOws(bytes, index, end);
            if (index == end || ';' != bytes[index])
            {
                throw badRequest("invalid chunk extension: expected ';'");
            }
            index = skipOws(bytes, index + 1, end);
            final int nameEnd = scan(bytes, index, end, TCHAR);
            if (nameEnd == index)
            {
                throw badRequest("invalid chunk extension: name is not a token");
            }
            index = nameEnd;
            final int equals = skipOws(bytes, nameEnd, end);
            if (equals < end && '=' == bytes[equals])
            {
                final int valueStart = skipOws(bytes, equals + 1, end);
                if (valueStart < end && DQUOTE == bytes[valueStart])
                {
                    index = quotedStringEnd(bytes, valueStart, end);
                }
                else
                {
                    index = scan(bytes, valueStart, end, TCHAR);
                    if (index == valueStart)
                    {
                        throw badRequest("invalid chunk extension: value is not a token or quoted-string");
                    }
                }
            }
        }
    }

    /**
     * @return the index just past the quoted-string starting at {@code start}.
     */
    static int quotedStringEnd(final byte[] bytes, final int start, final int end)
    {
        int index = start + 1;
        while (index < end)
        {
            final byte b = bytes[index];
            if (DQUOTE == b)
            {
                return index + 1;
            }
            if (BACKSLASH == b)
            {
                if (index + 1 == end || !is(bytes[index + 1], FIELD_CHAR))
                {
                    throw badRequest("invalid chunk extension: bad quoted-pair");
                }
                index += 2;
            }
            else if (is(b, QDTEXT))
            {
                index++;
            }
            else
            {
                throw badRequest("invalid chunk extension: bad character in quoted-string");
            }
        }
        throw badRequest("invalid chunk extension: unterminated quoted-string");
    }

    /**
     * @param bytes  a field line, the name first.
     * @param length of the name.
     * @return the name as received: a shared constant for a common one.
     */
    static AsciiString fieldName(final byte[] bytes, final int length)
    {
        if (length < KNOWN_NAMES_BY_LENGTH.length)
        {
            for (final AsciiString known : KNOWN_NAMES_BY_LENGTH[length])
            {
                if (equalsExactly(bytes, 0, length, known))
                {
                    return known;
                }
            }
        }
        return new AsciiString(bytes, 0, length, true);
    }

    /**
     * @return the index of the first byte from {@code start} not in the character class, or {@code end}.
     */
    static int scan(final byte[] bytes, final int start, final int end, final int charClass)
    {
        int index = start;
        while (index < end && (CHAR_CLASS[bytes[index] & 0xFF] & charClass) != 0)
        {
            index++;
        }
        return index;
    }

    /**
     * @return true when the byte is in the character class.
     */
    static boolean is(final byte b, final int charClass)
    {
        return (CHAR_CLASS[b & 0xFF] & charClass) != 0;
    }

    /**
     * @return the index of the first byte from {@code start} that is not optional whitespace, or {@code end}.
     */
    static int skipOws(final byte[] bytes, final int start, final int end)
    {
        int index = start;
        while (index < end && isOws(bytes[index]))
        {
            index++;
        }
        return index;
    }

    /**
     * @return true for SP or HTAB.
     */
    static boolean isOws(final byte b)
    {
        return SP == b || HTAB == b;
    }

    /**
     * @return true for an ASCII digit.
     */
    static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    /**
     * @return true when the bytes are exactly the string's.
     */
    static boolean equalsExactly(final byte[] bytes, final int start, final int length, final AsciiString s)
    {
        return s.length() == length &&
            Arrays.equals(bytes, start, start + length, s.array(), s.arrayOffset(), s.arrayOffset() + length);
    }

    /**
     * @return true when the bytes, ASCII upper case taken as lower case, are the lower-case token's.
     */
    static boolean equalsIgnoreCase(final byte[] bytes, final int start, final int length, final byte[] lower)
    {
        if (lower.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = bytes[start + i];
            if ((b >= 'A' && b <= 'Z' ? (byte)(b + ('a' - 'A')) : b) != lower[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return a 400 refusal with the message.
     */
    static HttpStatusException badRequest(final String message)
    {
        return new HttpStatusException(400, message);
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(CharsetUtil.US_ASCII);
    }

    private static AsciiString[][] knownNamesByLength(final AsciiString... names)
    {
        int longest = 0;
        for (final AsciiString name : names)
        {
            longest = Math.max(longest, name.length());
        }
        final AsciiString[][] byLength = new AsciiString[longest + 1][];
        for (int length = 0; length <= longest; length++)
        {
            int count = 0;
            for (final AsciiString name : names)
            {
                count += name.length() == length ? 1 : 0;
            }
            byLength[length] = new AsciiString[count];
            count = 0;
            for (final AsciiString name : names)
            {
                if (name.length() == length)
                {
                    byLength[length][count++] = name;
                }
            }
        }
        return byLength;
    }
}
