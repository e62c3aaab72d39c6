/**
 * The shared-memory hand-off between the listener and one worker process: the ring file's layout
 * ({@link io.sluice.dispatch.shm.WorkerFileDescriptor}), mapped on both sides as a
 * {@link io.sluice.dispatch.shm.WorkerFile}; the messages ({@link io.sluice.dispatch.shm.MessageDescriptor} and the
 * head encoders/decoders); each side's end of the doorbell ({@link io.sluice.dispatch.shm.Doorbell}: the token, the
 * wake byte and the wake-up protocol of {@link io.sluice.dispatch.shm.WakeProtocol}); and the private files and
 * directories ({@link io.sluice.dispatch.shm.SharedMemoryFiles}, its checks in {@code OwnDirectories}).
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
