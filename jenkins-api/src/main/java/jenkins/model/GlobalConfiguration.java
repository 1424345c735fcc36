package jenkins.model;

import hudson.ExtensionPoint;
import hudson.model.Describable;
import hudson.model.Descriptor;

/**
 * Declaration only (jenkins-core 2.579); only the members plugin/ uses. Its {@code configure(StaplerRequest2,
 * JSONObject)} binds the form to the {@code @DataBoundSetter}s, which is all plugin/ needs, so it is not declared.
 */
public abstract class GlobalConfiguration extends Descriptor<GlobalConfiguration>
        implements ExtensionPoint, Describable<GlobalConfiguration> {
    protected GlobalConfiguration() {
    }

    @Override
    public final Descriptor<GlobalConfiguration> getDescriptor() {
        throw new UnsupportedOperationException("declaration only");
    }
}
