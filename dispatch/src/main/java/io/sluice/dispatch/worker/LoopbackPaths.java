package io.sluice.dispatch.worker;

/**
 * Decides whether a request belongs to the worker's application path, as the listener decided when it routed it:
 * case-insensitive, on the normalized path ({@link Exchange#path()}, percent-decoded with dot-segments removed, the
 * same {@link io.sluice.dispatch.http.PathNormalizer} the listener routes by). Stateless and thread-safe.
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
     * @param path            the normalized request path ({@link Exchange#path()}).
     * @param applicationPath ending with {@code /}, see {@link #withTrailingSlash(String)}.
     * @return true when the path is the application path, or below it, or the application path without its
     * trailing {@code /}.
     */
    static boolean isUnder(final String path, final String applicationPath)
    {
        final int length = applicationPath.length();
        if (path.regionMatches(true, 0, applicationPath, 0, length))
        {
            return true;
        }
        return path.length() == length - 1 && path.regionMatches(true, 0, applicationPath, 0, length - 1);
    }
}
