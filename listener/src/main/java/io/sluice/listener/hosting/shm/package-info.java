/**
 * The shared-memory hosting model: {@link io.sluice.listener.hosting.shm.SharedMemoryHost} gives each worker process
 * a ring file and a doorbell ({@code docs/shared-memory-protocol.md}); a {@code SharedMemoryLink} per worker encodes
 * requests into its request ring ({@code RequestRingProducer}, {@code PublishedRecords} for repair after a crash),
 * drains its response ring into the connections under {@code ResponseCredit}, and judges its liveness; a
 * {@code DoorbellGate} wakes it.
 */
package io.sluice.listener.hosting.shm;
