/**
 * Worker process supervision (WAS semantics): start with the {@code SLUICE_*} environment, readiness deadline,
 * restart, start retries and rapid-fail protection (either stops the queue: 503), stop.
 * {@link io.sluice.listener.process.WorkerSupervisor} runs a queue's worker slots (its parts: {@code WorkerStarter}
 * starts and restarts them, {@code WorkerRecycler} recycles overlapped, {@code WorkerLifetimeControl} starts and stops
 * them on demand, when idle and offline, {@code WorkerStatusReport} reports); {@code WorkerCommand} checks and
 * builds a worker's command line, {@code WorkerKiller} kills a worker's tree and the processes left holding its
 * directory, {@code RapidFailWindow} counts the failures of the last minute.
 */
package io.sluice.listener.process;
