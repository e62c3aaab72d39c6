package io.sluice.listener.routing;

/**
 * The host part of a {@link UrlPrefix}, in the order HTTP.sys tries them: all strong wildcards first, then the
 * prefixes naming the request's host, then the weak wildcards.
 */
public enum HostKind
{
    /**
     * {@code +}: any host; tried before specific hosts.
     */
    STRONG_WILDCARD,

    /**
     * A DNS name or an IP literal; matches when it equals the request's host, ignoring case.
     */
    SPECIFIC,

    /**
     * {@code *}: any host; tried only when no strong wildcard or specific host matched.
     */
    WEAK_WILDCARD
}
