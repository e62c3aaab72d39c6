package io.sluice.dispatch.worker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether a request path belongs to the worker's application path, as the listener decided when it routed
 * the request: case-insensitive, on the percent-decoded path with dot-segments removed. A path without {@code %} and
 * without dot-segments (the usual request) is compared as it is, after one scan; only the others are decoded.
 * Stateless and thread-safe.
 */
final class LoopbackPaths
{
    private LoopbackPaths()
    {
    }

    /**
     * @param applicationPath as the listener set it; a trailing {@code /} is added when missing.
     * @return the application path ending with {@code /}.
     */
    static String withTrailingSlash(final String applicationPath)
    {
        if (null == applicationPath || applicationPath.isEmpty())
        {
            return "/";
        }
        final String path = applicationPath.charAt(0) == '/' ? applicationPath : "/" + applicationPath;
        return path.endsWith("/") ? path : path + "/";
    }

    /**
     * @param path            the request path (no query), as the client sent it.
     * @param applicationPath ending with {@code /}, see {@link #withTrailingSlash(String)}.
     * @return true when the path is the application path, or below it, or the application path without its
     * trailing {@code /}.
     */
    static boolean isUnder(final String path, final String applicationPath)
    {
        if (!needsNormalizing(path))
        {
            return startsWith(path, applicationPath);
        }
        final String normalized = normalize(path);
        return null != normalized && startsWith(normalized, applicationPath);
    }

    /**
     * Percent-decode a path (UTF-8) and remove its dot-segments (RFC 3986 5.2.4).
     *
     * @param path an origin-form path.
     * @return the normalized path, or null when it is not an origin-form path, has an invalid escape, or an escape
     * decodes to {@code /}, {@code \} or NUL (the listener refuses those).
     */
    static String normalize(final String path)
    {
        if (path.isEmpty() || path.charAt(0) != '/')
        {
            return null;
        }
        final String decoded = decode(path);
        return null == decoded ? null : removeDotSegments(decoded);
    }

    private static boolean startsWith(final String path, final String applicationPath)
    {
        final int length = applicationPath.length();
        if (path.regionMatches(true, 0, applicationPath, 0, length))
        {
            return true;
        }
        return path.length() == length - 1 && path.regionMatches(true, 0, applicationPath, 0, length - 1);
    }

    /**
     * One pass: true when the path holds a {@code %} escape or a {@code .} / {@code ..} segment.
     */
    private static boolean needsNormalizing(final String path)
    {
        final int length = path.length();
        for (int i = 0; i < length; i++)
        {
            final char c = path.charAt(i);
            if (c == '%')
            {
                return true;
            }
            if (c == '.' && i > 0 && path.charAt(i - 1) == '/')
            {
                final int next = i + 1 < length && path.charAt(i + 1) == '.' ? i + 2 : i + 1;
                if (next == length || path.charAt(next) == '/')
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static String decode(final String path)
    {
        if (path.indexOf('%') < 0)
        {
            return path;
        }
        final byte[] raw = path.getBytes(StandardCharsets.UTF_8);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++)
        {
            final byte b = raw[i];
            if (b != '%')
            {
                out.write(b);
                continue;
            }
            if (i + 2 >= raw.length)
            {
                return null;
            }
            final int high = Character.digit(raw[i + 1], 16);
            final int low = Character.digit(raw[i + 2], 16);
            if (high < 0 || low < 0)
            {
                return null;
            }
            final int decoded = (high << 4) | low;
            if (decoded == '/' || decoded == '\\' || decoded == 0)
            {
                return null;
            }
            out.write(decoded);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String removeDotSegments(final String path)
    {
        final String[] segments = path.split("/", -1);
        final String[] kept = new String[segments.length];
        int count = 0;
        for (int i = 1; i < segments.length; i++)
        {
            final String segment = segments[i];
            final boolean lastSegment = i == segments.length - 1;
            if (".".equals(segment))
            {
                if (lastSegment)
                {
                    kept[count++] = "";
                }
            }
            else if ("..".equals(segment))
            {
                if (count > 0)
                {
                    count--;
                }
                if (lastSegment)
                {
                    kept[count++] = "";
                }
            }
            else
            {
                kept[count++] = segment;
            }
        }
        final StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < count; i++)
        {
            out.append('/').append(kept[i]);
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
