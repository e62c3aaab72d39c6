/**
 * The shared-memory hosting model: {@link io.sluice.listener.hosting.shm.SharedMemoryHost} gives each worker process
 * a ring file and a doorbell ({@code docs/shared-memory-protocol.md}); a {@code SharedMemoryLink} per worker encodes
 * requests into its request ring ({@code RequestRingProducer}, {@code PublishedRecords} for repair after a crash),
 * drains its response ring into the connections under {@code ResponseCredit}, and has its liveness judged by
 * {@code WorkerLiveness}; a {@code DoorbellGate} admits its doorbell connection. A request lives in one of the
 * preallocated {@code SharedMemoryRequest} slots of {@code RequestSlots}, from admission to its last response byte.
 */
package io.sluice.listener.hosting.shm;
