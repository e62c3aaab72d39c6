package io.sluice.listener.routing;

/**
 * A parsed HTTP.sys URL prefix, {@code scheme://host:port/path/}. Immutable; equal when the canonical texts are equal.
 * <p>
 * Accepted forms:
 * <ul>
 *     <li>scheme: {@code http} or {@code https} (any case). A port serves one scheme: the listener speaks TLS on the
 *     ports of {@code https} prefixes and cleartext on the others (the configuration refuses a port named with
 *     both).</li>
 *     <li>host: {@code +} (strong wildcard), {@code *} (weak wildcard), a DNS name (labels of letters, digits and
 *     {@code -}), a dotted-quad IPv4 literal, or a bracketed IPv6 literal. Stored lower-case, IPv6 with brackets and
 *     as written (not rewritten to the RFC 5952 form).</li>
 *     <li>port: mandatory, 1..65535.</li>
 *     <li>path: starts and ends with {@code /}, already normalized: no {@code .} or {@code ..} segments, no
 *     {@code %}, {@code \}, {@code ?}, {@code #} or control characters. ASCII letters are stored lower-case; other
 *     characters are kept as written and match a decoded request path exactly.</li>
 * </ul>
 */
public final class UrlPrefix
{
    /**
     * The cleartext scheme.
     */
    public static final String HTTP_SCHEME = "http";

    /**
     * The TLS scheme.
     */
    public static final String HTTPS_SCHEME = "https";

    private static final String SCHEME_SEPARATOR = "://";
    private static final int MAX_PORT = 65535;
    private static final int MAX_PORT_DIGITS = 5;
    private static final int MAX_DNS_NAME_LENGTH = 253;
    private static final int MAX_DNS_LABEL_LENGTH = 63;
    private static final int IPV4_OCTET_COUNT = 4;
    private static final int MAX_IPV4_OCTET = 255;
    private static final int IPV6_GROUP_COUNT = 8;
    private static final int MAX_IPV6_GROUP_DIGITS = 4;

    private final String scheme;
    private final HostKind hostKind;
    private final String host;
    private final int port;
    private final String path;
    private final String text;

    private UrlPrefix(
        final String scheme, final HostKind hostKind, final String host, final int port, final String path)
    {
        this.scheme = scheme;
        this.hostKind = hostKind;
        this.host = host;
        this.port = port;
        this.path = path;
        this.text = scheme + SCHEME_SEPARATOR + host + ':' + port + path;
    }

    /**
     * Parse a URL prefix as written in the configuration.
     *
     * @param text the prefix, e.g. {@code http://+:8080/app/}.
     * @return the parsed prefix.
     * @throws IllegalArgumentException naming the problem and the value, e.g.
     *                                  {@code url prefix must end with '/': http://+:8080/shm}.
     */
    public static UrlPrefix parse(final String text)
    {
        if (null == text)
        {
            throw new IllegalArgumentException("url prefix must not be null");
        }

        final int schemeEnd = text.indexOf(SCHEME_SEPARATOR);
        if (schemeEnd <= 0)
        {
            throw invalid("url prefix must start with 'http://' or 'https://'", text);
        }

        final String scheme = toLowerAscii(text.substring(0, schemeEnd));
        if (!HTTP_SCHEME.equals(scheme) && !HTTPS_SCHEME.equals(scheme))
        {
            throw invalid("url prefix scheme must be http or https", text);
        }
        if (!text.endsWith("/"))
        {
            throw invalid("url prefix must end with '/'", text);
        }

        final int authorityStart = schemeEnd + SCHEME_SEPARATOR.length();
        final int pathStart = text.indexOf('/', authorityStart);
        if (pathStart < 0)
        {
            throw invalid("url prefix must have a host", text);
        }
        final int hostEnd = hostEnd(text, authorityStart, pathStart);
        final String host = toLowerAscii(text.substring(authorityStart, hostEnd));
        final HostKind hostKind = hostKind(host, text);
        final int port = port(text, hostEnd, pathStart);
        final String path = path(text, pathStart);

        return new UrlPrefix(scheme, hostKind, host, port, path);
    }

    /**
     * @return the scheme, lower-case: {@value #HTTP_SCHEME} or {@value #HTTPS_SCHEME}.
     */
    public String scheme()
    {
        return scheme;
    }

    /**
     * @return true for an {@code https} prefix: its port speaks TLS.
     */
    public boolean isHttps()
    {
        return HTTPS_SCHEME.equals(scheme);
    }

    /**
     * @return whether the host is a strong wildcard, a specific host or a weak wildcard.
     */
    public HostKind hostKind()
    {
        return hostKind;
    }

    /**
     * @return the host, lower-case: {@code +}, {@code *}, a DNS name, an IPv4 literal or a bracketed IPv6 literal.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the port, 1..65535.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the path, starting and ending with {@code /}, ASCII letters lower-case.
     */
    public String path()
    {
        return path;
    }

    /**
     * @return the canonical text, {@code scheme://host:port/path/}.
     */
    @Override
    public String toString()
    {
        return text;
    }

    /**
     * @param other object to compare.
     * @return true when other is a UrlPrefix with the same canonical text.
     */
    @Override
    public boolean equals(final Object other)
    {
        return this == other || (other instanceof UrlPrefix && text.equals(((UrlPrefix)other).text));
    }

    /**
     * @return the hash code of the canonical text.
     */
    @Override
    public int hashCode()
    {
        return text.hashCode();
    }

    private static int hostEnd(final String text, final int authorityStart, final int pathStart)
    {
        if (authorityStart < pathStart && text.charAt(authorityStart) == '[')
        {
            final int close = text.indexOf(']', authorityStart);
            if (close < 0 || close > pathStart)
            {
                throw invalid("url prefix host has an unclosed '['", text);
            }
            return close + 1;
        }

        final int colon = text.lastIndexOf(':', pathStart);
        return colon >= authorityStart ? colon : pathStart;
    }

    private static HostKind hostKind(final String host, final String text)
    {
        if (host.isEmpty())
        {
            throw invalid("url prefix must have a host", text);
        }
        if ("+".equals(host))
        {
            return HostKind.STRONG_WILDCARD;
        }
        if ("*".equals(host))
        {
            return HostKind.WEAK_WILDCARD;
        }
        if (host.charAt(0) == '[')
        {
            if (!isIpv6(host, 1, host.length() - 1))
            {
                throw invalid("url prefix host is not a valid IPv6 address", text);
            }
        }
        else if (isDigitsAndDots(host))
        {
            if (!isIpv4(host, 0, host.length()))
            {
                throw invalid("url prefix host is not a valid IPv4 address", text);
            }
        }
        else if (!isDnsName(host))
        {
            throw invalid("url prefix host is not a valid DNS name", text);
        }
        return HostKind.SPECIFIC;
    }

    private static int port(final String text, final int hostEnd, final int pathStart)
    {
        if (hostEnd == pathStart)
        {
            throw invalid("url prefix must have a port", text);
        }
        if (text.charAt(hostEnd) != ':')
        {
            throw invalid("url prefix must have ':' and a port after the host", text);
        }

        final int digitsStart = hostEnd + 1;
        final int digitCount = pathStart - digitsStart;
        if (digitCount == 0)
        {
            throw invalid("url prefix must have a port", text);
        }

        int port = 0;
        for (int i = digitsStart; i < pathStart; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9' || digitCount > MAX_PORT_DIGITS)
            {
                throw invalid("url prefix port must be a number in 1..65535", text);
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > MAX_PORT)
        {
            throw invalid("url prefix port must be a number in 1..65535", text);
        }
        return port;
    }

    private static String path(final String text, final int pathStart)
    {
        final int length = text.length();
        for (int i = pathStart; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c == '%')
            {
                throw invalid("url prefix path must not contain '%'", text);
            }
            if (c == '\\' || c == '?' || c == '#' || Character.isISOControl(c))
            {
                throw invalid("url prefix path must not contain '\\', '?', '#' or control characters", text);
            }
            if (c == '.' && text.charAt(i - 1) == '/')
            {
                final int next = i + 1 < length && text.charAt(i + 1) == '.' ? i + 2 : i + 1;
                if (next == length || text.charAt(next) == '/')
                {
                    throw invalid("url prefix path must not contain '.' or '..' segments", text);
                }
            }
        }
        return toLowerAscii(text.substring(pathStart));
    }

    private static boolean isDigitsAndDots(final String host)
    {
        for (int i = 0, length = host.length(); i < length; i++)
        {
            final char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9'))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(final String s, final int start, final int end)
    {
        int octets = 0;
        int i = start;
        while (i < end)
        {
            int j = i;
            int value = 0;
            while (j < end && j - i <= 3 && s.charAt(j) >= '0' && s.charAt(j) <= '9')
            {
                value = value * 10 + (s.charAt(j) - '0');
                j++;
            }

            final int digits = j - i;
            if (digits == 0 || digits > 3 || value > MAX_IPV4_OCTET || (digits > 1 && s.charAt(i) == '0'))
            {
                return false;
            }

            octets++;
            if (j == end)
            {
                break;
            }
            if (s.charAt(j) != '.' || j + 1 == end)
            {
                return false;
            }
            i = j + 1;
        }
        return octets == IPV4_OCTET_COUNT;
    }

    private static boolean isIpv6(final String s, final int start, final int end)
    {
        int i = start;
        int groups = 0;
        boolean compressed = false;

        if (end - start >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':')
        {
            compressed = true;
            i += 2;
        }

        while (i < end)
        {
            int j = i;
            while (j < end && isHexDigit(s.charAt(j)))
            {
                j++;
            }

            if (j < end && s.charAt(j) == '.')
            {
                if (!isIpv4(s, i, end))
                {
                    return false;
                }
                groups += 2;
                break;
            }

            final int digits = j - i;
            if (digits == 0 || digits > MAX_IPV6_GROUP_DIGITS)
            {
                return false;
            }
            groups++;
            if (j == end)
            {
                break;
            }
            if (s.charAt(j) != ':' || j + 1 == end)
            {
                return false;
            }

            i = j + 1;
            if (s.charAt(i) == ':')
            {
                if (compressed)
                {
                    return false;
                }
                compressed = true;
                i++;
            }
        }

        return compressed ? groups < IPV6_GROUP_COUNT : groups == IPV6_GROUP_COUNT;
    }

    private static boolean isHexDigit(final char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isDnsName(final String host)
    {
        final int length = host.length();
        if (length > MAX_DNS_NAME_LENGTH)
        {
            return false;
        }

        int labelStart = 0;
        for (int i = 0; i <= length; i++)
        {
            if (i == length || host.charAt(i) == '.')
            {
                final int labelLength = i - labelStart;
                if (labelLength == 0 || labelLength > MAX_DNS_LABEL_LENGTH ||
                    host.charAt(labelStart) == '-' || host.charAt(i - 1) == '-')
                {
                    return false;
                }
                labelStart = i + 1;
            }
            else
            {
                final char c = host.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                {
                    return false;
                }
            }
        }
        return true;
    }

    static String toLowerAscii(final String s)
    {
        final char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++)
        {
            chars[i] = lowerAscii(chars[i]);
        }
        return new String(chars);
    }

    static char lowerAscii(final char c)
    {
        return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
    }

    private static IllegalArgumentException invalid(final String problem, final String text)
    {
        return new IllegalArgumentException(problem + ": " + text);
    }
}
