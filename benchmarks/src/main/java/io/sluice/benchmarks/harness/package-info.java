/**
 * The end-to-end benchmark harness behind {@code bin/sluice bench} and {@code bin/sluice jmh}: drives load at each
 * hosting model of one running listener and at the reference servers, and turns the measurements (and JMH's JSON)
 * into a report a performance engineer can read.
 * <pre>
 *  BenchMain ─▶ BenchPlan: scenarios × rounds × targets, each run's length, the time budget
 *     │
 *     ├─ BenchServers (every server-side process under taskset -c 0; BenchConfigs writes their configurations):
 *     │     listener + its workers (/inproc/ /shm/ /loopback/) │ BareHelloServer │ nginx ─▶ the loopback worker
 *     │
 *     ├─ per scenario: HttpCheck every target (status and body), warm up, then rounds A B C D E, A B C D E, …
 *     │     one run: CpuMeter ─▶ Wrk (taskset -c 1; WrkScript's done() prints JSON) ─▶ CpuMeter ─▶ RunRecord
 *     ├─ idle: CpuMeter over the idle listener and workers
 *     ├─ scaling (ScalingPlan, ScalingRun): one listener per event loop count, hello-c64 rounds 1 2 4, 1 2 4, …
 *     │     ─▶ ScalingResults (each count against the first); CpuLayout says which CPUs serve and which load
 *     └─ Summaries (median, spread, merged HdrHistogram) ─▶ Ratios ─▶ ResultsWriter (results.json),
 *        BenchReport (report.md), Charts (charts/*.svg, charts/*.png)
 *
 *  JmhMain ─▶ java -jar sluice-benchmarks.jar … -rf json ─▶ JmhResults ─▶ JmhReport (jmh-report.md) + Charts
 * </pre>
 * Legend: {@code ─▶} data flow; {@code │} alternatives. Nothing here is on a product path: this package measures.
 */
package io.sluice.benchmarks.harness;
