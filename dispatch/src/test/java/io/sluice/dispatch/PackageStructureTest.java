package io.sluice.dispatch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages of {@code io.sluice.dispatch}, checked on its compiled classes (tests excluded): none depends on itself
 * through others.
 */
class PackageStructureTest
{
    private static final String DISPATCH = "io.sluice.dispatch";

    @Test
    void shouldHaveNoCycleAmongTheDispatchPackages()
    {
        slices().assignedFrom(new DispatchPackages()).should().beFreeOfCycles()
            .check(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(DISPATCH));
    }

    /**
     * One slice per package of dispatch, its root package included.
     */
    private static final class DispatchPackages implements SliceAssignment
    {
        public SliceIdentifier getIdentifierOf(final JavaClass javaClass)
        {
            final String packageName = javaClass.getPackageName();
            return packageName.equals(DISPATCH) || packageName.startsWith(DISPATCH + ".") ?
                SliceIdentifier.of(packageName) : SliceIdentifier.ignore();
        }

        public String getDescription()
        {
            return "the packages of " + DISPATCH;
        }
    }
}
