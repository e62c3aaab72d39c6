package io.sluice.listener.hosting.inprocess;

/**
 * Lets tests of other packages read the in-process host's statistics.
 */
public final class InProcessHostProbe
{
    private InProcessHostProbe()
    {
    }

    /**
     * @return request body chunks the in-process host refused so far because the response could not take more.
     */
    public static long bodyRefusals()
    {
        return InProcessHost.bodyRefusals();
    }
}
