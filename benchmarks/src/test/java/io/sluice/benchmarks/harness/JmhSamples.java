package io.sluice.benchmarks.harness;

/**
 * Test data: JMH JSON results as {@code -rf json} writes them, trimmed to what the harness reads.
 */
final class JmhSamples
{
    /**
     * An average-time class with a baseline, a throughput benchmark, a sample-time benchmark with percentiles and
     * parameters, and an error JMH could not compute.
     */
    static final String JSON = """
        [
          {
            "jmhVersion": "1.37", "benchmark": "io.sluice.benchmarks.MessageCodecBenchmark.baselineCopy",
            "mode": "avgt", "threads": 1, "forks": 2, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
            "warmupIterations": 5, "warmupTime": "1 s", "measurementIterations": 5, "measurementTime": "1 s",
            "primaryMetric": { "score": 10.0, "scoreError": 0.5, "scoreUnit": "ns/op",
              "rawData": [[10.0, 10.1, 9.9, 10.0, 10.0], [10.0, 10.1, 9.9, 10.0, 10.0]] },
            "secondaryMetrics": {}
          },
          {
            "jmhVersion": "1.37", "benchmark": "io.sluice.benchmarks.MessageCodecBenchmark.encode",
            "mode": "avgt", "threads": 1, "forks": 2, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
            "warmupIterations": 5, "warmupTime": "1 s", "measurementIterations": 5, "measurementTime": "1 s",
            "primaryMetric": { "score": 25.0, "scoreError": "NaN", "scoreUnit": "ns/op",
              "rawData": [[25.0]] },
            "secondaryMetrics": {}
          },
          {
            "jmhVersion": "1.37",
            "benchmark": "io.sluice.benchmarks.RingRoundTripBenchmark.baselineSameThreadEncodeDecode",
            "mode": "thrpt", "threads": 1, "forks": 1, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
            "warmupIterations": 2, "warmupTime": "1 s", "measurementIterations": 3, "measurementTime": "1 s",
            "params": { "payloadLength": "64" },
            "primaryMetric": { "score": 8.0, "scoreError": 0.2, "scoreUnit": "ops/us", "rawData": [[8.0, 8.1, 7.9]] },
            "secondaryMetrics": {}
          },
          {
            "jmhVersion": "1.37", "benchmark": "io.sluice.benchmarks.RingRoundTripBenchmark.twoThreads",
            "mode": "thrpt", "threads": 1, "forks": 1, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
            "warmupIterations": 2, "warmupTime": "1 s", "measurementIterations": 3, "measurementTime": "1 s",
            "params": { "payloadLength": "64", "burstLength": "1" },
            "primaryMetric": { "score": 2.0, "scoreError": 0.1, "scoreUnit": "ops/us", "rawData": [[2.0, 2.1, 1.9]] },
            "secondaryMetrics": {}
          },
          {
            "jmhVersion": "1.37", "benchmark": "io.sluice.benchmarks.RingRoundTripBenchmark.twoThreads",
            "mode": "sample", "threads": 1, "forks": 1, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
            "warmupIterations": 2, "warmupTime": "1 s", "measurementIterations": 3, "measurementTime": "1 s",
            "params": { "payloadLength": "1024", "burstLength": "1" },
            "primaryMetric": { "score": 0.62, "scoreError": 0.01, "scoreUnit": "us/op",
              "scorePercentiles": { "0.0": 0.2, "50.0": 0.5, "90.0": 0.7, "99.0": 4.1, "99.9": 31.0, "100.0": 812.0 },
              "rawDataHistogram": [[[[0.5, 1000], [4.1, 20]], [[0.5, 980]]]] },
            "secondaryMetrics": {}
          }
        ]
        """;

    private JmhSamples()
    {
    }
}
