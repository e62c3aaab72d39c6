package io.sluice.listener.counters;

/**
 * The qualifiers of the per-status counters: a status class (1xx..5xx) and the gateway statuses counted on their own.
 */
public final class StatusClasses
{
    /**
     * Status classes counted: 1xx to 5xx.
     */
    public static final int CLASS_COUNT = 5;

    /**
     * Statuses counted on their own: 502, 503, 504.
     */
    public static final int GATEWAY_STATUS_COUNT = 3;

    /**
     * The first status counted on its own.
     */
    public static final int FIRST_GATEWAY_STATUS = 502;

    private static final String[] CLASS_LABELS = { "1xx", "2xx", "3xx", "4xx", "5xx" };

    private StatusClasses()
    {
    }

    /**
     * @param status an HTTP status, 100..599.
     * @return its class's qualifier, 0 (1xx) to 4 (5xx), or -1 outside 100..599.
     */
    public static int classOf(final int status)
    {
        final int index = status / 100 - 1;
        return index >= 0 && index < CLASS_COUNT ? index : -1;
    }

    /**
     * @param status an HTTP status.
     * @return its qualifier among 502, 503, 504 (0..2), or -1 for any other.
     */
    public static int gatewayOf(final int status)
    {
        final int index = status - FIRST_GATEWAY_STATUS;
        return index >= 0 && index < GATEWAY_STATUS_COUNT ? index : -1;
    }

    /**
     * @param qualifier a class qualifier.
     * @return its label, e.g. {@code 2xx}.
     */
    public static String classLabel(final int qualifier)
    {
        return CLASS_LABELS[qualifier];
    }

    /**
     * @param qualifier a gateway status qualifier.
     * @return the status.
     */
    public static int gatewayStatus(final int qualifier)
    {
        return FIRST_GATEWAY_STATUS + qualifier;
    }
}
