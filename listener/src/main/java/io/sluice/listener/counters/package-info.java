/**
 * The listener's counters, in one shared-memory counters file (an Agrona
 * {@link org.agrona.concurrent.status.CountersManager} laid out by {@link io.sluice.dispatch.shm.CountersFileDescriptor},
 * as Aeron's CnC file): written where they happen, read by {@code /metrics} and {@code sluice stat} without touching
 * the event loops.
 * <pre>
 *   event loop i --incrementRelease--&gt; LoopCounters i (connections) / QueueLoopCounters (queue, i) (requests)
 *   supervisor   --increment---------&gt; QueueCounters (worker starts, exits, hung kills, rapid-fail stops)
 *   sampler      --setRelease--------&gt; sampled values (queue lengths, open connections, shared-memory lanes)
 *                                           |
 *                        counters.dat (metadata + values) --CountersReader--&gt; CountersSnapshot (summed over loops)
 *                                                                              --&gt; PrometheusText (/metrics, stat)
 * </pre>
 * Legend: a counter kept per event loop is written by that loop alone (a plain read and an ordered write: no atomic
 * read-modify-write, no contention); {@link io.sluice.listener.counters.CounterType} names every kind, its metric and
 * its help. Depends on no other package of the listener.
 */
package io.sluice.listener.counters;
