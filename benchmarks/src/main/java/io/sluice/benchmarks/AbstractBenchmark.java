package io.sluice.benchmarks;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Settings every Sluice benchmark shares: forks, the JVM flags every fork needs, warm-up and measurement. A subclass
 * may override the mode and time unit on its own class; the command line overrides everything ({@code -f}, {@code -wi},
 * {@code -i}, {@code -w}, {@code -r}, {@code -bm}, {@code -tu}).
 * <p>
 * The fork flags are those of every Sluice JVM: Agrona 2.x needs {@code jdk.internal.misc} opened, Netty's native
 * transport needs native access, and Netty's leak detector is off so that it does not sample the hot path (the smoke
 * test runs the same methods with it at {@code paranoid}). {@value #UNSAFE_MEMORY_ACCESS_ALLOW} is the system-property
 * spelling of {@code --sun-misc-unsafe-memory-access=allow}: on JDK 24+ it keeps Netty on its {@code Unsafe} paths
 * (else about 8 % slower when server-bound) and silences the warning, and on JDK 17 to 23, which reject the option
 * form, it is an unused property. Annotation values must be constants, so the flag cannot be added by version.
 */
@Fork(
    value = AbstractBenchmark.FORKS,
    jvmArgsAppend = {
        AbstractBenchmark.ADD_OPENS_MISC,
        AbstractBenchmark.ADD_OPENS_NIO,
        AbstractBenchmark.ENABLE_NATIVE_ACCESS,
        AbstractBenchmark.UNSAFE_MEMORY_ACCESS_ALLOW,
        AbstractBenchmark.LEAK_DETECTION_DISABLED })
@Warmup(iterations = AbstractBenchmark.WARMUP_ITERATIONS, time = AbstractBenchmark.ITERATION_SECONDS)
@Measurement(iterations = AbstractBenchmark.MEASUREMENT_ITERATIONS, time = AbstractBenchmark.ITERATION_SECONDS)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class AbstractBenchmark
{
    /**
     * Forks per benchmark: two, so that one unlucky JIT or memory layout shows as a spread.
     */
    public static final int FORKS = 2;

    /**
     * Warm-up iterations per fork.
     */
    public static final int WARMUP_ITERATIONS = 5;

    /**
     * Measurement iterations per fork.
     */
    public static final int MEASUREMENT_ITERATIONS = 5;

    /**
     * Length of every warm-up and measurement iteration, in seconds.
     */
    public static final int ITERATION_SECONDS = 1;

    /**
     * Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}.
     */
    public static final String ADD_OPENS_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";

    /**
     * Netty and Agrona read direct buffers' internals.
     */
    public static final String ADD_OPENS_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    /**
     * Netty's native epoll transport loads a JNI library.
     */
    public static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    /**
     * {@code --sun-misc-unsafe-memory-access=allow} in a form every JDK from 17 on accepts.
     */
    public static final String UNSAFE_MEMORY_ACCESS_ALLOW = "-Dsun.misc.unsafe.memory.access=allow";

    /**
     * Benchmarks do not pay for leak sampling.
     */
    public static final String LEAK_DETECTION_DISABLED = "-Dio.netty.leakDetection.level=disabled";

    /**
     * The fork flags in order, for a helper JVM a benchmark starts itself (see {@link RingEchoMain}).
     */
    public static final List<String> JVM_ARGS = List.of(
        ADD_OPENS_MISC,
        ADD_OPENS_NIO,
        ENABLE_NATIVE_ACCESS,
        UNSAFE_MEMORY_ACCESS_ALLOW,
        LEAK_DETECTION_DISABLED);
}
