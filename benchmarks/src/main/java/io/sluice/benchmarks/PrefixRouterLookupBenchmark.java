package io.sluice.benchmarks;

import io.sluice.listener.routing.PrefixRouter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.HashMap;
import java.util.Map;

/**
 * Routing one request with {@link PrefixRouter}, the listener's URL-prefix table, holding {@code prefixCount} prefixes
 * on one port: even-numbered ones strong wildcards ({@code http://+:8080/tenant-i/}), odd-numbered ones on a specific
 * host ({@code http://api.example.com:8080/tenant-i/}). The router scans the strong wildcards, then the specific
 * hosts, each longest path first, so its cost grows with the prefixes it passes.
 * <ul>
 *     <li>{@link #routeMatching}: a path under the middle prefix, a specific-host one, so every strong wildcard is
 *     tried first;</li>
 *     <li>{@link #routeNotMatching}: a path no prefix takes (a 404), the whole table;</li>
 *     <li>{@link #baselineHashMap}: {@link HashMap#get} of the exact prefix path, a lookup that knows neither
 *     longest match nor host classes; its key's hash is cached, so this is a floor, not an alternative.</li>
 * </ul>
 */
@State(Scope.Thread)
public class PrefixRouterLookupBenchmark extends AbstractBenchmark
{
    /**
     * Port of every prefix and of the connection.
     */
    static final int PORT = 8080;

    /**
     * Host header of every request.
     */
    static final String HOST_HEADER = "api.example.com:8080";

    /**
     * Number of prefixes in the table.
     */
    @Param({ "10", "1000" })
    public int prefixCount;

    private PrefixRouter<String> router;
    private Map<String, String> exactPaths;
    private String matchingPath;
    private String matchingPrefixPath;
    private String expectedTarget;
    private String notMatchingPath;

    /**
     * Build the table.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final PrefixRouter.Builder<String> builder = PrefixRouter.builder();
        exactPaths = new HashMap<>();
        for (int i = 0; i < prefixCount; i++)
        {
            final String host = i % 2 == 0 ? "+" : "api.example.com";
            builder.add("http://" + host + ":" + PORT + prefixPath(i), target(i));
            exactPaths.put(prefixPath(i), target(i));
        }
        router = builder.build();

        final int middle = (prefixCount / 2) | 1;
        matchingPrefixPath = prefixPath(middle);
        matchingPath = matchingPrefixPath + "orders/42";
        expectedTarget = target(middle);
        notMatchingPath = "/unknown/orders/42";
    }

    /**
     * Route a path under the middle prefix.
     *
     * @return the target found.
     */
    @Benchmark
    public String routeMatching()
    {
        final String target = router.route(HOST_HEADER, PORT, matchingPath);
        if (!expectedTarget.equals(target))
        {
            throw new IllegalStateException(
                "route " + matchingPath + ": expected=" + expectedTarget + ", got=" + target);
        }
        return target;
    }

    /**
     * Route a path no prefix takes.
     *
     * @return null, the 404.
     */
    @Benchmark
    public String routeNotMatching()
    {
        final String target = router.route(HOST_HEADER, PORT, notMatchingPath);
        if (null != target)
        {
            throw new IllegalStateException("route " + notMatchingPath + ": expected no match, got=" + target);
        }
        return target;
    }

    /**
     * Look the exact prefix path up in a hash map.
     *
     * @return the target found.
     */
    @Benchmark
    public String baselineHashMap()
    {
        final String target = exactPaths.get(matchingPrefixPath);
        if (!expectedTarget.equals(target))
        {
            throw new IllegalStateException(
                "get " + matchingPrefixPath + ": expected=" + expectedTarget + ", got=" + target);
        }
        return target;
    }

    private static String prefixPath(final int i)
    {
        return "/tenant-" + i + "/";
    }

    private static String target(final int i)
    {
        return "queue-" + i;
    }
}
