/**
 * The access log and the error log, written off the event loops. An event loop encodes one fixed-layout record per
 * finished request or refusal ({@link io.sluice.listener.log.LogRecordDescriptor}) into a
 * {@link org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer} shared by the loops, allocating nothing; when the ring
 * is full the record is dropped and counted, never waited for. One writer thread
 * ({@link io.sluice.listener.log.LogWriterAgent}) drains the ring, formats each record as a W3C extended log line
 * ({@link io.sluice.listener.log.W3cFormat}) into the buffer of its file ({@link io.sluice.listener.log.LogFile}) and
 * writes the buffers in batches; it rotates a file by size or day and reopens every file when asked
 * ({@code SIGUSR1}, for logrotate).
 * <pre>
 *   event loop --RequestLog.access/error (tryClaim, encode, commit)--&gt; ring --LogWriterAgent--&gt; LogFile (batched)
 * </pre>
 * Depends on {@code queue} only ({@link io.sluice.listener.queue.ErrorReason},
 * {@link io.sluice.listener.queue.HostingMode}); the front ({@code http}) writes to it, the listener wires it.
 */
package io.sluice.listener.log;
