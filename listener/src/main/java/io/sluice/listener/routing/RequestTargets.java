package io.sluice.listener.routing;

/**
 * Splits an absolute-form request-target ({@code http://host:port/path?query}, RFC 9112 3.2.2) into the authority,
 * which replaces the Host header for routing, and the origin-form rest, which goes to
 * {@link io.sluice.dispatch.http.PathNormalizer#normalize(CharSequence)}. Stateless and thread-safe.
 */
public final class RequestTargets
{
    private static final String HTTP_PREFIX = "http://";
    private static final String HTTPS_PREFIX = "https://";
    private static final int MAX_PORT = 65535;

    private RequestTargets()
    {
    }

    /**
     * @param target the request-target as received.
     * @return true when it starts with {@code http://} or {@code https://}, in any case.
     */
    public static boolean isAbsoluteForm(final CharSequence target)
    {
        return authorityStart(target) > 0;
    }

    /**
     * @param target an absolute-form request-target, e.g. {@code http://example.com:8080/app?x=1}.
     * @return the authority, e.g. {@code example.com:8080}, for
     * {@link PrefixRouter#route(CharSequence, int, CharSequence)}; null when the target is not in absolute form,
     * or the authority is not valid by {@link #isValidAuthority(CharSequence)} (empty, userinfo such as
     * {@code user@host}, a bad port): answer 400.
     */
    public static CharSequence authority(final CharSequence target)
    {
        final int start = authorityStart(target);
        if (start <= 0)
        {
            return null;
        }

        final int end = authorityEnd(target, start);
        return isValidAuthority(target, start, end) ? target.subSequence(start, end) : null;
    }

    /**
     * Check a Host field value, or the authority of an absolute-form target, against RFC 9110 7.2 and RFC 3986 3.2:
     * {@code uri-host [ ":" port ]}, the host a non-empty reg-name (unreserved, pct-encoded, sub-delims) or an IP
     * literal in brackets, the port digits of at most 65535 (an empty port after {@code :} is allowed by the
     * grammar). Userinfo ({@code user@host}, {@code a.example:@evil.example}) is refused, as RFC 9110 4.2.4 says.
     *
     * @param authority the field value, already trimmed of surrounding whitespace.
     * @return true when valid; false when the request must be answered with 400.
     */
    public static boolean isValidAuthority(final CharSequence authority)
    {
        return null != authority && isValidAuthority(authority, 0, authority.length());
    }

    private static boolean isValidAuthority(final CharSequence text, final int start, final int end)
    {
        if (start >= end)
        {
            return false;
        }
        int i = start;
        if (text.charAt(i) == '[')
        {
            i++;
            while (i < end && text.charAt(i) != ']')
            {
                final char c = text.charAt(i);
                if (!isUnreserved(c) && !isSubDelim(c) && c != ':')
                {
                    return false;
                }
                i++;
            }
            if (i == end || i == start + 1)
            {
                return false;
            }
            i++;
        }
        else
        {
            while (i < end && text.charAt(i) != ':')
            {
                final char c = text.charAt(i);
                if (c == '%')
                {
                    if (i + 2 >= end || !isHexDigit(text.charAt(i + 1)) || !isHexDigit(text.charAt(i + 2)))
                    {
                        return false;
                    }
                    i += 2;
                }
                else if (!isUnreserved(c) && !isSubDelim(c))
                {
                    return false;
                }
                i++;
            }
            if (i == start)
            {
                return false;
            }
        }
        if (i == end)
        {
            return true;
        }
        if (text.charAt(i) != ':')
        {
            return false;
        }
        int port = 0;
        for (i++; i < end; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
            port = port * 10 + (c - '0');
            if (port > MAX_PORT)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isUnreserved(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isSubDelim(final char c)
    {
        return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
            c == ',' || c == ';' || c == '=';
    }

    private static boolean isHexDigit(final char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /**
     * @param target an absolute-form request-target, e.g. {@code http://example.com:8080/app?x=1}.
     * @return the origin-form rest, e.g. {@code /app?x=1}; {@code /} stands in for an empty path, so
     * {@code http://h?x} gives {@code /?x}. Null when the target is not in absolute form.
     */
    public static CharSequence pathAndQuery(final CharSequence target)
    {
        final int start = authorityStart(target);
        if (start <= 0)
        {
            return null;
        }

        final int end = authorityEnd(target, start);
        final int length = target.length();
        if (end == length)
        {
            return "/";
        }
        if (target.charAt(end) != '/')
        {
            return "/" + target.subSequence(end, length);
        }
        return target.subSequence(end, length);
    }

    private static int authorityStart(final CharSequence target)
    {
        if (null == target)
        {
            return 0;
        }
        if (startsWithIgnoreCase(target, HTTP_PREFIX))
        {
            return HTTP_PREFIX.length();
        }
        if (startsWithIgnoreCase(target, HTTPS_PREFIX))
        {
            return HTTPS_PREFIX.length();
        }
        return 0;
    }

    private static int authorityEnd(final CharSequence target, final int start)
    {
        final int length = target.length();
        for (int i = start; i < length; i++)
        {
            final char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#')
            {
                return i;
            }
        }
        return length;
    }

    private static boolean startsWithIgnoreCase(final CharSequence target, final String prefix)
    {
        final int length = prefix.length();
        if (target.length() < length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (UrlPrefix.lowerAscii(target.charAt(i)) != prefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
