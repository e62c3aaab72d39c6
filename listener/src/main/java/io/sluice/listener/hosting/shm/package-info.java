/**
 * The shared-memory hosting model: {@link io.sluice.listener.hosting.shm.SharedMemoryHost} gives each worker process
 * one lane per event loop ({@code LoopLanes}): a ring file ({@code WorkerFile}) and a doorbell ({@code DoorbellServer},
 * which admits the connection with the token through a {@code DoorbellGate}), as {@code docs/shared-memory-protocol.md}
 * specifies, owned by that loop; a request goes to the attached worker with the fewest requests outstanding on the loop
 * it arrived on. A {@code SharedMemoryLink} per lane puts together one job per class:
 * <pre>
 *   RequestRingPublisher  heads, body chunks, aborts, credit grants --&gt; request ring (RequestRingProducer,
 *                         PublishedRecords); wakes the worker once per event-loop turn
 *   ResponseRingAdapter   response ring --checked--&gt; exchanges, under ResponseCredit (ResponseBytesGauge)
 *   WorkerLiveness        hung or not, from the heartbeat, sleeping flag and waiting requests
 *   WorkerCrashRecovery   after an exit: repair the ring's head, answer 502, retry, or leave for the replacement
 * </pre>
 * A request lives in one of the preallocated {@code SharedMemoryRequest} slots of {@code RequestSlots}, listed in
 * flight oldest first, from admission to its last response byte.
 */
package io.sluice.listener.hosting.shm;
