package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What a reload changes is decided key by key, from the running configuration and the file's: which queues are added,
 * kept, re-limited, recycled or removed, and which settings need a restart (and keep their running values).
 */
class ReloadPlanTest
{
    private static final String HANDLER = "io.sluice.dispatch.sample.SampleHandler";

    @Test
    void shouldChangeNothingWhenTheFileIsTheSame()
    {
        final ListenerConfiguration running = parse(listener("") + inProcess("a", "/a/") + sharedMemory("s", ""));

        final ReloadPlan plan = ReloadPlan.of(running, parse(listener("") + inProcess("a", "/a/") +
            sharedMemory("s", "")));

        assertEquals(Map.of("a", ReloadPlan.QueueChange.UNCHANGED, "s", ReloadPlan.QueueChange.UNCHANGED),
            plan.queues());
        assertEquals(List.of(), plan.removedQueues());
        assertEquals(List.of(), plan.needsRestart());
        assertEquals(running, plan.running());
    }

    @Test
    void shouldAddAndRemoveQueuesByName()
    {
        final ReloadPlan plan = ReloadPlan.of(
            parse(listener("") + inProcess("a", "/a/") + inProcess("b", "/b/")),
            parse(listener("") + inProcess("b", "/b/") + inProcess("c", "/c/")));

        assertEquals(List.of("c"), plan.queuesWith(ReloadPlan.QueueChange.ADDED));
        assertEquals(List.of("b"), plan.queuesWith(ReloadPlan.QueueChange.UNCHANGED));
        assertEquals(List.of("a"), plan.removedQueues());
    }

    @Test
    void shouldKeepTheHostWhenOnlyPrefixesLimitsOrTimersChange()
    {
        final ReloadPlan plan = ReloadPlan.of(
            parse(listener("") + inProcess("a", "/a/") + loopback("l", "")),
            parse(listener("") + inProcess("a", "/a/\", \"http://+:8090/more/") + "    queueLength: 10\n" +
                loopback("l", "    maxRequestBodySize: 1k\n    timeouts: { entityBody: 5s, queueWait: 5s }\n")));

        assertEquals(ReloadPlan.QueueChange.LIMITS, plan.queues().get("a"));
        assertEquals(ReloadPlan.QueueChange.LIMITS, plan.queues().get("l"));
    }

    @Test
    void shouldRecycleTheWorkersOfAQueueWhoseSupervisorSettingsChangeAndKeepItsHost()
    {
        final ReloadPlan plan = ReloadPlan.of(
            parse(listener("") + sharedMemory("s", "") + loopback("l", "")),
            parse(listener("") + sharedMemory("s", "    worker: { shutdownTimeLimit: 3s }\n") +
                loopback("l", "    worker: { environment: { MODE: fast } }\n")));

        assertEquals(List.of("s", "l"), plan.queuesWith(ReloadPlan.QueueChange.WORKERS));
    }

    @Test
    void shouldRecycleTheHostOfAQueueWhoseWorkerCountOrHostTimersChange()
    {
        final ReloadPlan plan = ReloadPlan.of(
            parse(listener("") + sharedMemory("s", "") + loopback("l", "")),
            parse(listener("") + sharedMemory("s", "    worker: { processes: 2 }\n") +
                loopback("l", "    worker: { requestTimeout: 5s }\n")));

        assertEquals(List.of("s", "l"), plan.queuesWith(ReloadPlan.QueueChange.RECYCLED));
    }

    @Test
    void shouldRecycleAQueueWhoseHostingHandlerRingsOrWorkerFacingSettingsChange()
    {
        final ListenerConfiguration running = parse(listener("") + sharedMemory("s", "") + loopback("l", "") +
            inProcess("a", "/a/"));

        assertEquals(ReloadPlan.QueueChange.RECYCLED, ReloadPlan.of(running, parse(listener("") +
            sharedMemory("s", "    ringCapacity: 2m\n") + loopback("l", "") + inProcess("a", "/a/")))
            .queues().get("s"));
        assertEquals(ReloadPlan.QueueChange.RECYCLED, ReloadPlan.of(running, parse(listener("") +
            sharedMemory("s", "    timeouts: { queueWait: 5s }\n") + loopback("l", "") + inProcess("a", "/a/")))
            .queues().get("s"));
        assertEquals(ReloadPlan.QueueChange.RECYCLED, ReloadPlan.of(running, parse(listener("") +
            sharedMemory("s", "") + loopback("l", "    queueLength: 10\n") + inProcess("a", "/a/")))
            .queues().get("l"));
        assertEquals(ReloadPlan.QueueChange.RECYCLED, ReloadPlan.of(running, parse(listener("") +
            sharedMemory("s", "") + loopback("l", "") + inProcess("a", "/a/").replace("in-process", "loopback")))
            .queues().get("a"));
        assertEquals(ReloadPlan.QueueChange.RECYCLED, ReloadPlan.of(running, parse(listener("") +
            sharedMemory("s", "") + loopback("l", "") +
            inProcess("a", "/a/").replace(HANDLER, "io.sluice.listener.NamedHandler")))
            .queues().get("a"));
    }

    @Test
    void shouldListWhatNeedsARestartAndKeepItsRunningValue()
    {
        final ListenerConfiguration running = parse(listener("  eventLoops: 1\n  adminPort: 9101\n") +
            inProcess("a", "/a/"));

        final ReloadPlan plan = ReloadPlan.of(running, parse(listener(
            "  eventLoops: 2\n  adminPort: 9102\n  maxConnections: 7\n") + inProcess("a", "/a/")));

        assertEquals(List.of(
            "listener.eventLoops (running 1, file 2)",
            "listener.adminPort (running 9101, file 9102)"), plan.needsRestart());
        assertEquals(1, plan.running().eventLoops());
        assertEquals(9101, plan.running().adminPort());
        assertEquals(7, plan.running().maxConnections());
        assertEquals(List.of("maxConnections"), plan.listenerChanges());
    }

    @Test
    void shouldNeedARestartWhenAPortChangesScheme()
    {
        final ReloadPlan plan = ReloadPlan.of(
            parse(listener("") + inProcess("a", "/a/")),
            parse(listener("  tls: { certificates: [ { hosts: [\"*\"], certificate: self-signed } ] }\n") +
                inProcess("a", "/a/").replace("http://", "https://")));

        assertEquals(List.of("queues[0].prefixes[0] (port 8080 running http, file https)"), plan.needsRestart());
    }

    @Test
    void shouldTakeTheFilesQueuesAndLimits()
    {
        final ListenerConfiguration file = parse(listener("  maxUrlLength: 1k\n") + inProcess("b", "/b/"));

        final ReloadPlan plan = ReloadPlan.of(parse(listener("") + inProcess("a", "/a/")), file);

        assertSame(file.queues(), plan.running().queues());
        assertEquals(1024, plan.running().maxUrlLength());
    }

    private static ListenerConfiguration parse(final String yaml)
    {
        return ConfigLoader.parse(yaml, "sluice.yaml");
    }

    private static String listener(final String keys)
    {
        return "listener:\n  id: plan\n" + keys + "queues:\n";
    }

    private static String inProcess(final String name, final String path)
    {
        return "  - name: " + name + "\n    prefixes: [ \"http://+:8080" + path + "\" ]\n" +
            "    hosting: in-process\n    handler: " + HANDLER + "\n";
    }

    private static String sharedMemory(final String name, final String keys)
    {
        return "  - name: " + name + "\n    prefixes: [ \"http://+:8080/" + name + "/\" ]\n" +
            "    hosting: shared-memory\n    handler: " + HANDLER + "\n" + keys;
    }

    private static String loopback(final String name, final String keys)
    {
        return "  - name: " + name + "\n    prefixes: [ \"http://+:8080/" + name + "/\" ]\n" +
            "    hosting: loopback\n    handler: " + HANDLER + "\n" + keys;
    }
}
