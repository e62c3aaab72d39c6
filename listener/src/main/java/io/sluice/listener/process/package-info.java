/**
 * Worker process supervision (WAS semantics): start with the {@code SLUICE_*} environment, readiness deadline,
 * restart, start retries and rapid-fail protection (either stops the queue: 503), stop.
 */
package io.sluice.listener.process;
