package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchConfigsTest
{
    private static final Path DEFAULT_CONFIG = Path.of("..", "native-config", "sluice.yaml");

    @Test
    void shouldMoveEveryPrefixOfTheDefaultConfigurationToTheBenchPort() throws IOException
    {
        final Map<String, Object> config = rewrittenDefault();

        for (final Object queue : (List<?>)config.get("queues"))
        {
            for (final Object prefix : (List<?>)((Map<?, ?>)queue).get("prefixes"))
            {
                assertTrue(prefix.toString().startsWith("http://+:18080/"), prefix.toString());
            }
            assertEquals(1, ((List<?>)((Map<?, ?>)queue).get("prefixes")).size(), "the https prefix is left out");
        }
        assertFalse(((Map<?, ?>)config.get("listener")).containsKey("tls"), "the run measures cleartext");
    }

    @Test
    void shouldTurnTheAdminPortOffAndUseItsOwnIdAndSharedMemoryDirectory() throws IOException
    {
        final Map<?, ?> listener = (Map<?, ?>)rewrittenDefault().get("listener");

        assertEquals(0, listener.get("adminPort"));
        assertEquals("bench-42", listener.get("id"));
        assertEquals("/dev/shm/sluice-bench-42", listener.get("shmDir"));
    }

    @Test
    void shouldSendEachWorkersOutputToALogAndLeaveTheInProcessQueueAlone() throws IOException
    {
        final List<?> queues = (List<?>)rewrittenDefault().get("queues");

        for (final Object element : queues)
        {
            final Map<?, ?> queue = (Map<?, ?>)element;
            if ("in-process".equals(queue.get("hosting")))
            {
                assertFalse(queue.containsKey("worker"));
            }
            else
            {
                assertEquals("/results/logs/" + queue.get("name") + "-worker.log",
                    ((Map<?, ?>)queue.get("worker")).get("stdoutLog"));
            }
        }
    }

    @Test
    void shouldMovePrefixesOfAnyHostForm()
    {
        assertEquals("http://+:9/shm/", BenchConfigs.movePrefix("http://+:8080/shm/", 9));
        assertEquals("http://*:9/a/b/", BenchConfigs.movePrefix("http://*:80/a/b/", 9));
        assertEquals("http://[::1]:9/x/", BenchConfigs.movePrefix("http://[::1]:8080/x/", 9));
    }

    @Test
    void shouldRejectAPrefixWithoutAPort()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchConfigs.movePrefix("http://+/shm/", 9));

        assertEquals("prefix without scheme://host:port/path: http://+/shm/", ex.getMessage());
    }

    @Test
    void shouldProxyNginxToTheLoopbackWorkerWithItsTokenForwardingFieldsAndKeepAlive()
    {
        final String conf = BenchConfigs.nginxConfig(Path.of("/r/nginx"), 18090, 41234, "abc123", 256);

        assertTrue(conf.contains("worker_processes 1;\ndaemon off;\n"), conf);
        assertTrue(conf.contains("server 127.0.0.1:41234;\n    keepalive 256;\n"), conf);
        assertTrue(conf.contains("listen 127.0.0.1:18090 backlog=4096;"), conf);
        assertTrue(conf.contains("proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"), conf);
        assertTrue(conf.contains("proxy_set_header Sluice-Token \"abc123\";"), conf);
        assertTrue(conf.contains("proxy_set_header Sluice-Appl-Path /loopback/;"), conf);
        assertTrue(conf.contains("proxy_set_header X-Forwarded-For $remote_addr;"), conf);
        assertTrue(conf.contains("proxy_set_header X-Forwarded-Proto $scheme;"), conf);
        assertTrue(conf.contains("proxy_buffering off;\n      proxy_request_buffering off;"), conf);
    }

    @Test
    void shouldSetTheEventLoopsAndLeaveOutTheSharedMemoryQueuesWhenAsked() throws IOException
    {
        final Map<String, Object> config = new Yaml().load(BenchConfigs.benchConfig(Files.readString(DEFAULT_CONFIG),
            18080, "bench-42", Path.of("/dev/shm/sluice-bench-42"), Path.of("/results/logs"), 4, true));

        assertEquals(4, ((Map<?, ?>)config.get("listener")).get("eventLoops"));
        final List<?> queues = (List<?>)config.get("queues");
        assertFalse(queues.isEmpty());
        for (final Object queue : queues)
        {
            assertFalse("shared-memory".equals(((Map<?, ?>)queue).get("hosting")), queue.toString());
        }
        assertTrue(queues.stream().anyMatch((q) -> "loopback".equals(((Map<?, ?>)q).get("hosting"))));
    }

    @Test
    void shouldAddTheLoggedQueueAndTurnEveryOtherAccessLogOffWhenAsked() throws IOException
    {
        final Map<String, Object> config = new Yaml().load(BenchConfigs.benchConfig(Files.readString(DEFAULT_CONFIG),
            18080, "bench-42", Path.of("/dev/shm/sluice-bench-42"), Path.of("/results/logs"), null, false, true));

        assertFalse(((Map<?, ?>)config.get("listener")).containsKey("accessLog"));
        final List<?> queues = (List<?>)config.get("queues");
        final Map<?, ?> logged = (Map<?, ?>)queues.stream()
            .filter((q) -> "logged".equals(((Map<?, ?>)q).get("name"))).findFirst().orElseThrow();
        assertEquals("in-process", logged.get("hosting"));
        assertEquals(List.of("http://+:18080/logged/"), logged.get("prefixes"));
        assertEquals("/results/logs/access.log", ((Map<?, ?>)logged.get("accessLog")).get("path"));
        for (final Object queue : queues)
        {
            if (queue != logged)
            {
                assertEquals(false, ((Map<?, ?>)queue).get("accessLog"), queue.toString());
            }
        }
    }

    @Test
    void shouldKeepTheFilesEventLoopsAndQueuesByDefault() throws IOException
    {
        final Map<String, Object> original = new Yaml().load(Files.readString(DEFAULT_CONFIG));
        final Map<String, Object> config = rewrittenDefault();

        assertEquals(((Map<?, ?>)original.get("listener")).get("eventLoops"),
            ((Map<?, ?>)config.get("listener")).get("eventLoops"));
        assertEquals(((List<?>)original.get("queues")).size(), ((List<?>)config.get("queues")).size());
    }

    @Test
    void shouldMoveTheHttpsPrefixesToTheTlsPortAndServeTheRunsCertificate() throws IOException
    {
        final BenchTls tls = new BenchTls(18443, Path.of("/results/tls/self-signed.crt"),
            Path.of("/results/tls/self-signed.key"));
        final Map<String, Object> config = new Yaml().load(BenchConfigs.benchConfig(Files.readString(DEFAULT_CONFIG),
            18080, tls, "bench-42", Path.of("/dev/shm/sluice-bench-42"), Path.of("/results/logs"), null, false, false));

        for (final Object queue : (List<?>)config.get("queues"))
        {
            final Map<?, ?> q = (Map<?, ?>)queue;
            assertEquals(List.of("http://+:18080/" + q.get("name") + "/", "https://+:18443/" + q.get("name") + "/"),
                q.get("prefixes"));
        }
        final Map<?, ?> section = (Map<?, ?>)((Map<?, ?>)config.get("listener")).get("tls");
        assertEquals(List.of(Map.of("hosts", List.of("*"), "certificate", "/results/tls/self-signed.crt",
            "key", "/results/tls/self-signed.key")), section.get("certificates"));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), section.get("protocols"));
        assertFalse(section.containsKey("clientCertificate"), "the load generators present no certificate");
        assertFalse(section.containsKey("selfSignedDir"));
    }

    @Test
    void shouldAddAnHttpsTwinOfEveryPrefixWhenTheFileHasNone()
    {
        final String yaml = """
            queues:
              - name: app
                prefixes: [ "http://+:8080/app/" ]
                hosting: in-process
                handler: x.Y
            """;
        final Map<String, Object> config = new Yaml().load(BenchConfigs.benchConfig(yaml, 9, new BenchTls(10,
            Path.of("/c"), Path.of("/k")), "b", Path.of("/dev/shm/b"), Path.of("/l"), null, false, false));

        assertEquals(List.of("http://+:9/app/", "https://+:10/app/"),
            ((Map<?, ?>)((List<?>)config.get("queues")).get(0)).get("prefixes"));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), BenchConfigs.tlsProtocols(yaml));
        assertEquals(List.of("TLSv1.2"), BenchConfigs.tlsProtocols("listener:\n  tls:\n    protocols: [TLSv1.2]\n" +
            yaml));
    }

    @Test
    void shouldServeReturn200AndTheProxyOverTlsAndH2cWithTheSameCertificateAndProtocols()
    {
        final String conf = BenchConfigs.nginxConfig(Path.of("/r/nginx"), new BenchConfigs.NginxServers(18090,
            18091, 18094, 41234, "abc123", 64, 18092, 18093, 18095, new BenchTls(18443, Path.of("/r/tls/c.crt"),
            Path.of("/r/tls/c.key")), List.of("TLSv1.3", "TLSv1.2")));

        assertTrue(conf.contains("  ssl_certificate /r/tls/c.crt;\n  ssl_certificate_key /r/tls/c.key;\n" +
            "  ssl_protocols TLSv1.3 TLSv1.2;\n"), conf);
        assertTrue(conf.contains("    listen 127.0.0.1:18090 backlog=4096;\n" +
            "    listen 127.0.0.1:18091 ssl http2 backlog=4096;\n    listen 127.0.0.1:18094 http2 backlog=4096;\n" +
            "    location /loopback/ {"), conf);
        assertTrue(conf.contains("    listen 127.0.0.1:18092 backlog=4096;\n" +
            "    listen 127.0.0.1:18093 ssl http2 backlog=4096;\n    listen 127.0.0.1:18095 http2 backlog=4096;\n" +
            "    default_type text/plain;\n" +
            "    location / {\n      return 200 \"Hello, World!\";\n"), conf);
        assertTrue(conf.endsWith("  }\n}\n"), conf);
    }

    @Test
    void shouldLeaveOutWhatNginxDoesNotServe()
    {
        final String conf = BenchConfigs.nginxConfig(Path.of("/r/nginx"), new BenchConfigs.NginxServers(0, 0, 0, 0,
            "", 64, 18092, 0, 0, null, List.of()));

        assertFalse(conf.contains("ssl"), conf);
        assertFalse(conf.contains("http2"), conf);
        assertFalse(conf.contains("upstream"), conf);
        assertTrue(conf.contains("return 200"), conf);
    }

    private static Map<String, Object> rewrittenDefault() throws IOException
    {
        final String yaml = BenchConfigs.benchConfig(Files.readString(DEFAULT_CONFIG), 18080, "bench-42",
            Path.of("/dev/shm/sluice-bench-42"), Path.of("/results/logs"));
        return new Yaml().load(yaml);
    }
}
