/**
 * The shared-memory hand-off between the listener and one worker process: the ring file's layout
 * ({@link io.sluice.dispatch.shm.WorkerFileDescriptor}), the messages ({@link io.sluice.dispatch.shm.MessageDescriptor}
 * and the head encoders/decoders), the wake-up protocol ({@link io.sluice.dispatch.shm.WakeProtocol}) and the private
 * files ({@link io.sluice.dispatch.shm.SharedMemoryFiles}).
 * <pre>
 *   listener event loop                     worker process
 *   -------------------                     --------------
 *   RequestHeadEncoder --tryClaim/commit--> request ring  --controlledRead--> RequestHeadDecoder --> Handler
 *   BodyChunkFlyweight --(chunks)---------> request ring
 *                                                                            Exchange.respond / sendBody
 *   ResponseHeadDecoder <--controlledRead-- response ring <--tryClaim/commit-- ResponseHeadEncoder, BodyChunkFlyweight
 *
 *   doorbell (Unix socket, one byte) only when the other side's sleeping flag is set
 * </pre>
 * Legend: rings are Agrona {@code ManyToOneRingBuffer}s in one memory-mapped file per worker (mode 0600, in a 0700
 * directory); the byte layout is specified in {@code docs/shared-memory-protocol.md}.
 */
package io.sluice.dispatch.shm;
