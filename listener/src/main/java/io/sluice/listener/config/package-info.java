/**
 * The deployment file ({@code sluice.yaml}), the contexts it is mapped onto, and the immutable settings they conclude
 * to, in the manner of Aeron's {@code MediaDriver.Context}: one context per level, one set of defaults, one check.
 * <pre>
 *   sluice.yaml --SnakeYAML (safe, plain maps)--&gt; Map/List/String/Integer
 *               --ConfigLoader (each key to its setter; ConfigSection checks the kind of value)--&gt;
 *                 ListenerContext (listener, listener.timeouts)
 *                 +-- QueueContext[] (queues[i], queues[i].timeouts)
 *                     +-- WorkerContext (queues[i].worker)
 *               --ListenerContext.conclude() (ranges, rules across keys and queues: ListenerRules; derived)--&gt;
 *                 ListenerConfiguration                 --decoderConfig()/connectionConfig()--&gt; http settings
 *                 +-- TimeoutsConfiguration
 *                 +-- AdminConfiguration
 *                 +-- QueueConfiguration[]              --binding()--&gt; what a route carries
 *                     +-- WorkerConfiguration
 *               any problem =&gt; ConfigException: "file: key.path: problem (was value)"
 *   at start:   Listener checks what only the running system can: ports, handler classes, commands, shmDir
 *               any problem =&gt; StartupException: "key.path: problem" (ConfigKeys), the file name prefixed
 *               logs the effective configuration once (EffectiveConfiguration)
 *
 *   legend:   --x--&gt; step performed by x;  =&gt; failure
 * </pre>
 * Defaults are the records' {@code *_DEFAULT} constants (the HTTP limits' are those of the component that enforces
 * them); ranges are the contexts' {@code *_MAX} and the records' {@code *_MIN}/{@code *_MAX} constants. The format is
 * documented key by key in {@code native-config/README.md}, whose defaults a test compares with the constants, and,
 * as a commented reference, in {@code native-config/sluice.yaml}.
 */
package io.sluice.listener.config;
