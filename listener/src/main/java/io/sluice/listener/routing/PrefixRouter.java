package io.sluice.listener.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Routes a request to the target of the best matching {@link UrlPrefix}, with HTTP.sys precedence. Immutable and
 * built once at startup; safe to share between event loops.
 * <p>
 * Only prefixes whose port equals the connection's local port are candidates. Among them:
 * <ol>
 *     <li>strong wildcards ({@code +}): the longest matching path wins;</li>
 *     <li>else prefixes whose host equals the request's host, ignoring ASCII case: the longest matching path
 *     wins;</li>
 *     <li>else weak wildcards ({@code *}): the longest matching path wins.</li>
 * </ol>
 * A prefix path matches a request path when it is an ASCII-case-insensitive prefix of it; in addition {@code /app/}
 * matches {@code /app} exactly. {@code /} matches every path.
 * <p>
 * Cost model: {@link #route(CharSequence, int, CharSequence)} allocates nothing. It binary-searches the port, then
 * compares chars against lower-case tables sorted longest path first, so it stops at the first match within a class;
 * the work is linear in the number of prefixes on that port.
 *
 * @param <T> the routing target, e.g. a request queue.
 */
public final class PrefixRouter<T> implements Router<T>
{
    /**
     * Returned by {@link #routeIndex(CharSequence, int, CharSequence)} when no prefix matches.
     */
    public static final int NO_MATCH = -1;

    private static final Entry[] NO_ENTRIES = new Entry[0];

    private final UrlPrefix[] prefixes;
    private final Object[] targets;
    private final int[] ports;
    private final PortTable[] tables;

    private PrefixRouter(final List<UrlPrefix> prefixes, final List<Object> targets)
    {
        this.prefixes = prefixes.toArray(new UrlPrefix[0]);
        this.targets = targets.toArray();
        this.ports = prefixes.stream().mapToInt(UrlPrefix::port).distinct().sorted().toArray();
        this.tables = new PortTable[ports.length];
        for (int i = 0; i < ports.length; i++)
        {
            tables[i] = new PortTable(
                entries(HostKind.STRONG_WILDCARD, ports[i]),
                entries(HostKind.SPECIFIC, ports[i]),
                entries(HostKind.WEAK_WILDCARD, ports[i]));
        }
    }

    /**
     * Start a router.
     *
     * @param <T> the routing target.
     * @return a new, empty builder.
     */
    public static <T> Builder<T> builder()
    {
        return new Builder<>();
    }

    /**
     * Find the target for a request. Allocates nothing.
     *
     * @param hostHeader     the Host header (or absolute-form authority) as received, e.g. {@code example.com:8080}
     *                       or {@code [::1]:8080}; its port is ignored. Null or empty: only wildcards can match.
     * @param localPort      the local port the connection was accepted on.
     * @param normalizedPath the path as returned by
     *                       {@link io.sluice.dispatch.http.PathNormalizer#normalize(CharSequence)}; not null.
     * @return the target of the best matching prefix, or null when none matches (answer 404).
     */
    public T route(final CharSequence hostHeader, final int localPort, final CharSequence normalizedPath)
    {
        final int index = routeIndex(hostHeader, localPort, normalizedPath);
        return NO_MATCH == index ? null : target(index);
    }

    /**
     * Find the best matching prefix for a request, as {@link #route(CharSequence, int, CharSequence)}, and return
     * its index for {@link #prefix(int)} and {@link #target(int)}. Allocates nothing.
     *
     * @param hostHeader     the Host header as received; null or empty: only wildcards can match.
     * @param localPort      the local port the connection was accepted on.
     * @param normalizedPath the normalized path; not null.
     * @return the index of the matching prefix in the order added, or {@link #NO_MATCH}.
     */
    public int routeIndex(final CharSequence hostHeader, final int localPort, final CharSequence normalizedPath)
    {
        final int tableIndex = Arrays.binarySearch(ports, localPort);
        if (tableIndex < 0)
        {
            return NO_MATCH;
        }
        final PortTable table = tables[tableIndex];

        final int strong = matchPath(table.strongWildcards, normalizedPath);
        if (NO_MATCH != strong)
        {
            return strong;
        }

        final int hostLength = null == hostHeader ? 0 : hostLength(hostHeader);
        if (hostLength > 0)
        {
            for (final Entry entry : table.specificHosts)
            {
                if (hostMatches(entry.host, hostHeader, hostLength) && pathMatches(entry.path, normalizedPath))
                {
                    return entry.index;
                }
            }
        }

        return matchPath(table.weakWildcards, normalizedPath);
    }

    /**
     * @param index an index returned by {@link #routeIndex(CharSequence, int, CharSequence)}.
     * @return the prefix at that index.
     */
    public UrlPrefix prefix(final int index)
    {
        return prefixes[index];
    }

    /**
     * @param index an index returned by {@link #routeIndex(CharSequence, int, CharSequence)}.
     * @return the target at that index.
     */
    @SuppressWarnings("unchecked")
    public T target(final int index)
    {
        return (T)targets[index];
    }

    /**
     * @return the number of prefixes.
     */
    public int prefixCount()
    {
        return prefixes.length;
    }

    /**
     * @return the distinct ports to bind, ascending; a fresh copy.
     */
    public int[] ports()
    {
        return ports.clone();
    }

    /**
     * @return the prefixes in the order added, for the startup log.
     */
    @Override
    public String toString()
    {
        return "PrefixRouter" + Arrays.toString(prefixes);
    }

    private Entry[] entries(final HostKind hostKind, final int port)
    {
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < prefixes.length; i++)
        {
            final UrlPrefix prefix = prefixes[i];
            if (prefix.hostKind() == hostKind && prefix.port() == port)
            {
                entries.add(new Entry(prefix.host().toCharArray(), prefix.path().toCharArray(), i));
            }
        }
        // Stable sort: among equal paths (specific hosts) the order added is kept.
        entries.sort(Comparator.comparingInt((final Entry entry) -> entry.path.length).reversed());
        return entries.toArray(NO_ENTRIES);
    }

    private static int matchPath(final Entry[] entries, final CharSequence path)
    {
        for (final Entry entry : entries)
        {
            if (pathMatches(entry.path, path))
            {
                return entry.index;
            }
        }
        return NO_MATCH;
    }

    private static boolean pathMatches(final char[] prefixPath, final CharSequence path)
    {
        final int pathLength = path.length();
        final int prefixLength = prefixPath.length;
        final int compareLength;
        if (pathLength >= prefixLength)
        {
            compareLength = prefixLength;
        }
        else if (pathLength == prefixLength - 1)
        {
            // The prefix /app/ also takes /app exactly, as HTTP.sys does.
            compareLength = pathLength;
        }
        else
        {
            return false;
        }

        for (int i = 0; i < compareLength; i++)
        {
            if (UrlPrefix.lowerAscii(path.charAt(i)) != prefixPath[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int hostLength(final CharSequence hostHeader)
    {
        final int length = hostHeader.length();
        if (length == 0)
        {
            return 0;
        }

        if (hostHeader.charAt(0) == '[')
        {
            for (int i = 1; i < length; i++)
            {
                if (hostHeader.charAt(i) == ']')
                {
                    return i + 1;
                }
            }
            return 0;
        }

        int end = length;
        for (int i = 0; i < length; i++)
        {
            if (hostHeader.charAt(i) == ':')
            {
                end = i;
                break;
            }
        }
        // A fully qualified name with its root dot names the same host.
        if (end > 1 && hostHeader.charAt(end - 1) == '.')
        {
            end--;
        }
        return end;
    }

    private static boolean hostMatches(final char[] host, final CharSequence hostHeader, final int hostLength)
    {
        if (host.length != hostLength)
        {
            return false;
        }
        for (int i = 0; i < hostLength; i++)
        {
            if (UrlPrefix.lowerAscii(hostHeader.charAt(i)) != host[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Collects (prefix, target) pairs and builds a {@link PrefixRouter}. Not thread-safe; use once at startup.
     *
     * @param <T> the routing target.
     */
    public static final class Builder<T>
    {
        private final List<UrlPrefix> prefixes = new ArrayList<>();
        private final List<Object> targets = new ArrayList<>();
        private final Set<UrlPrefix> seen = new HashSet<>();

        private Builder()
        {
        }

        /**
         * Add a prefix and its target.
         *
         * @param prefix the prefix; not null.
         * @param target the target for requests matching it; not null.
         * @return this builder.
         * @throws IllegalArgumentException when the prefix was already added, e.g.
         *                                  {@code duplicate url prefix: http://+:8080/app/}.
         */
        public Builder<T> add(final UrlPrefix prefix, final T target)
        {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(target, "target");
            if (!seen.add(prefix))
            {
                throw new IllegalArgumentException("duplicate url prefix: " + prefix);
            }
            prefixes.add(prefix);
            targets.add(target);
            return this;
        }

        /**
         * Parse and add a prefix and its target.
         *
         * @param prefix the prefix as written, see {@link UrlPrefix#parse(String)}.
         * @param target the target for requests matching it; not null.
         * @return this builder.
         * @throws IllegalArgumentException when the prefix is invalid or was already added.
         */
        public Builder<T> add(final String prefix, final T target)
        {
            return add(UrlPrefix.parse(prefix), target);
        }

        /**
         * @return an immutable router over the prefixes added so far.
         */
        public PrefixRouter<T> build()
        {
            return new PrefixRouter<>(prefixes, targets);
        }
    }

    private static final class PortTable
    {
        private final Entry[] strongWildcards;
        private final Entry[] specificHosts;
        private final Entry[] weakWildcards;

        private PortTable(final Entry[] strongWildcards, final Entry[] specificHosts, final Entry[] weakWildcards)
        {
            this.strongWildcards = strongWildcards;
            this.specificHosts = specificHosts;
            this.weakWildcards = weakWildcards;
        }
    }

    private static final class Entry
    {
        private final char[] host;
        private final char[] path;
        private final int index;

        private Entry(final char[] host, final char[] path, final int index)
        {
            this.host = host;
            this.path = path;
            this.index = index;
        }
    }
}
