/**
 * The sample application served by the default configuration, the tests and the benchmarks: hello, echo, sleep.
 */
package io.sluice.dispatch.sample;
