package io.sluice.listener;

import io.sluice.listener.config.ReloadPlan;

import java.util.List;

/**
 * The one line that says what an applied reload changed, e.g. {@code reload 2 applied: queues added [api], recycled
 * [shm] (new workers ready, previous ones draining), limits changed [inproc]; listener [timeouts, tls]; ports bound
 * [8090]; needs restart: listener.eventLoops (running 1, file 2)}. Stateless.
 */
final class ReloadSummary
{
    private ReloadSummary()
    {
    }

    /**
     * @param generation  the reload's number.
     * @param plan        what it changed.
     * @param boundPorts  the ports it started listening on.
     * @param closedPorts the ports it stopped listening on.
     * @return the line.
     */
    static String line(
        final long generation, final ReloadPlan plan, final List<Integer> boundPorts, final List<Integer> closedPorts)
    {
        final StringBuilder line = new StringBuilder("reload ").append(generation).append(" applied:");
        final int start = line.length();
        part(line, "queues added", plan.queuesWith(ReloadPlan.QueueChange.ADDED), "");
        part(line, "removed", plan.removedQueues(), " (draining)");
        part(line, "recycled", plan.queuesWith(ReloadPlan.QueueChange.RECYCLED),
            " (new workers ready, previous ones draining)");
        part(line, "workers recycled", plan.queuesWith(ReloadPlan.QueueChange.WORKERS),
            " (overlapped: each replacement takes over once ready)");
        part(line, "limits changed", plan.queuesWith(ReloadPlan.QueueChange.LIMITS), "");
        if (line.length() == start)
        {
            line.append(" queues unchanged");
        }
        if (!plan.listenerChanges().isEmpty())
        {
            line.append("; listener ").append(plan.listenerChanges());
        }
        line.append(';');
        final int portsStart = line.length();
        part(line, "ports bound", boundPorts, "");
        part(line, "closed", closedPorts, "");
        if (line.length() == portsStart)
        {
            line.append(" ports unchanged");
        }
        if (!plan.needsRestart().isEmpty())
        {
            line.append("; needs restart: ").append(String.join(", ", plan.needsRestart()));
        }
        return line.toString();
    }

    private static void part(final StringBuilder line, final String what, final List<?> items, final String note)
    {
        if (!items.isEmpty())
        {
            line.append(line.charAt(line.length() - 1) == ':' || line.charAt(line.length() - 1) == ';' ? " " : ", ")
                .append(what).append(' ').append(items).append(note);
        }
    }
}
