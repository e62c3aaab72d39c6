/**
 * The deployment file ({@code sluice.yaml}) and the immutable settings it becomes.
 * <pre>
 *   sluice.yaml --SnakeYAML (safe, plain maps)--&gt; Map/List/String/Integer
 *               --ConfigLoader (ConfigSection per mapping, ConfigValues per value)--&gt; ListenerConfiguration
 *                                                                                    +-- TimeoutsConfiguration
 *                                                                                    +-- AdminConfiguration
 *                                                                                    +-- QueueConfiguration[]
 *                                                                                        +-- WorkerConfiguration
 *               any problem =&gt; ConfigException: "file: key.path: problem (was value)"
 *   at start:   Listener checks what only the running system can: ports, handler classes, commands, shmDir
 *               any problem =&gt; StartupException: "key.path: problem" (ConfigKeys), the file name prefixed
 *
 *   legend:   --x--&gt; step performed by x;  =&gt; failure
 * </pre>
 * Defaults are the records' {@code *_DEFAULT} constants; the format is documented key by key in
 * {@code native-config/README.md} and, as a commented reference, in {@code native-config/sluice.yaml}.
 */
package io.sluice.listener.config;
