/**
 * Worker process supervision (WAS semantics): start, readiness deadline, restart, rapid-fail protection, stop.
 */
package io.sluice.listener.process;
