package io.sluice.listener;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The listener's package structure, checked on its compiled classes (tests excluded): no package depends on itself
 * through others, and each depends only on those below it.
 * <pre>
 *   io.sluice.listener (Listener, AdminServer, SluiceMain): may use every package; none uses it
 *   http                               --&gt; queue, routing, log
 *   log                                --&gt; queue
 *   hosting.{inprocess, shm, loopback} --&gt; hosting, queue, process, config, routing (never on each other)
 *   process                            --&gt; config, queue
 *   config                             --&gt; queue, routing, http (the component configurations it derives)
 *   tls                                --&gt; config
 *   queue, routing                     --&gt; nothing of the listener
 * </pre>
 * And {@code io.sluice.dispatch}, which a worker uses alone, never depends on the listener.
 */
class PackageStructureTest
{
    private static final String LISTENER = "io.sluice.listener";
    private static final JavaClasses CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.sluice");

    @Test
    void shouldHaveNoCycleAmongTheListenerPackages()
    {
        slices().assignedFrom(new ListenerPackages()).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void shouldDependOnlyOnTheLayersBelow()
    {
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("listener").definedBy(LISTENER)
            .layer("http").definedBy(LISTENER + ".http..")
            .layer("log").definedBy(LISTENER + ".log..")
            .layer("hosting").definedBy(LISTENER + ".hosting..")
            .layer("process").definedBy(LISTENER + ".process..")
            .layer("config").definedBy(LISTENER + ".config..")
            .layer("tls").definedBy(LISTENER + ".tls..")
            .layer("routing").definedBy(LISTENER + ".routing..")
            .layer("queue").definedBy(LISTENER + ".queue..")
            .layer("counters").definedBy(LISTENER + ".counters..")
            .whereLayer("listener").mayNotBeAccessedByAnyLayer()
            .whereLayer("http").mayOnlyAccessLayers("queue", "routing", "log", "counters")
            .whereLayer("log").mayOnlyAccessLayers("queue")
            .whereLayer("hosting").mayOnlyAccessLayers("queue", "process", "config", "routing", "counters")
            .whereLayer("process").mayOnlyAccessLayers("config", "queue", "counters")
            .whereLayer("config").mayOnlyAccessLayers("queue", "routing", "http")
            .whereLayer("tls").mayOnlyAccessLayers("config")
            .whereLayer("routing").mayNotAccessAnyLayer()
            .whereLayer("queue").mayOnlyAccessLayers("counters")
            .whereLayer("counters").mayNotAccessAnyLayer()
            .check(CLASSES);
    }

    @Test
    void shouldKeepTheHostingModelsApart()
    {
        slices().matching(LISTENER + ".hosting.(*)..").namingSlices("hosting model $1")
            .should().notDependOnEachOther()
            .check(CLASSES);
        noClasses().that().resideInAPackage(LISTENER + ".hosting")
            .should().dependOnClassesThat().resideInAPackage(LISTENER + ".hosting.*..")
            .check(CLASSES);
    }

    @Test
    void shouldNeverMakeDispatchDependOnTheListener()
    {
        noClasses().that().resideInAPackage("io.sluice.dispatch..")
            .should().dependOnClassesThat().resideInAPackage(LISTENER + "..")
            .check(CLASSES);
    }

    /**
     * One slice per package of the listener, its root package included.
     */
    private static final class ListenerPackages implements SliceAssignment
    {
        public SliceIdentifier getIdentifierOf(final JavaClass javaClass)
        {
            final String packageName = javaClass.getPackageName();
            return packageName.equals(LISTENER) || packageName.startsWith(LISTENER + ".") ?
                SliceIdentifier.of(packageName) : SliceIdentifier.ignore();
        }

        public String getDescription()
        {
            return "the packages of " + LISTENER;
        }
    }
}
