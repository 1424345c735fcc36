package io.powerai.library;

import groovy.lang.GroovyClassLoader;

import java.io.IOException;

/** The few constants the library's StepRunner keeps, read from its own source. */
final class StepRunnerConstants {
    private StepRunnerConstants() {
    }

    /** StepRunner.AUDIT_LOG: what is archived when no descriptor could be read (core's StageDescriptor.AUDIT_LOG). */
    static String auditLog() {
        try (GroovyClassLoader loader = new GroovyClassLoader(StepRunnerConstants.class.getClassLoader())) {
            loader.addClasspath(LibraryPipelineTest.LIBRARY_ROOT.resolve("src").toString());
            Class<?> runner = loader.loadClass("io.powerai.jenkins.StepRunner");
            return String.valueOf(org.codehaus.groovy.runtime.InvokerHelper.getProperty(runner, "AUDIT_LOG"));
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read StepRunner.AUDIT_LOG: " + e, e);
        }
    }
}
