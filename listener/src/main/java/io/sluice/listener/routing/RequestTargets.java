package io.sluice.listener.routing;

/**
 * Splits an absolute-form request-target ({@code http://host:port/path?query}, RFC 9112 3.2.2) into the authority,
 * which replaces the Host header for routing, and the origin-form rest, which goes to
 * {@link PathNormalizer#normalize(CharSequence)}. Stateless and thread-safe.
 */
public final class RequestTargets
{
    private static final String HTTP_PREFIX = "http://";
    private static final String HTTPS_PREFIX = "https://";

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
     * the authority is empty or it has userinfo ({@code user@host}, an error per RFC 9110 4.2.4): answer 400.
     */
    public static CharSequence authority(final CharSequence target)
    {
        final int start = authorityStart(target);
        if (start <= 0)
        {
            return null;
        }

        final int end = authorityEnd(target, start);
        if (end == start)
        {
            return null;
        }
        for (int i = start; i < end; i++)
        {
            if (target.charAt(i) == '@')
            {
                return null;
            }
        }
        return target.subSequence(start, end);
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
