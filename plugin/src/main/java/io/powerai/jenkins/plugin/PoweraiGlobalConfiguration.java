package io.powerai.jenkins.plugin;

import hudson.Extension;
import hudson.ExtensionList;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.powerai.jenkins.plugin.cli.CliDefaults;
import io.powerai.jenkins.plugin.config.Check;
import io.powerai.jenkins.plugin.config.Checks;
import jenkins.model.GlobalConfiguration;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * The administrator's defaults for the pipeline steps (Manage Jenkins > System > powerai, or
 * {@code unclassified: powerai:} in configuration as code). Credentials are named by id only; the steps bind them
 * with {@code withCredentials}. Every field may stay empty. Glue only: the checks are {@link Checks}.
 */
@Extension
@Symbol("powerai")
public class PoweraiGlobalConfiguration extends GlobalConfiguration {
    private String registry;
    private String registryCredentialsId;
    private String azureCredentialsId;
    private String kubeconfigCredentialsId;
    private String signingCredentialsId;
    private String engine;
    private String baseImage;
    /** The deploy policy over every project's deploy section: see docs/supply-chain.md. */
    private boolean requireProvenance;
    private String allowedKeys;

    public PoweraiGlobalConfiguration() {
        load();
    }

    public static PoweraiGlobalConfiguration get() {
        return ExtensionList.lookupSingleton(PoweraiGlobalConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "powerai";
    }

    /** What {@code poweraiCli} hands to the pipeline as {@code defaults}. */
    public CliDefaults toDefaults() {
        return new CliDefaults(registry, registryCredentialsId, azureCredentialsId, kubeconfigCredentialsId, signingCredentialsId,
                engine, baseImage, requireProvenance ? "true" : null, allowedKeys);
    }

    public String getRegistry() {
        return registry;
    }

    @DataBoundSetter
    public void setRegistry(String registry) {
        this.registry = clean(registry);
        save();
    }

    public String getRegistryCredentialsId() {
        return registryCredentialsId;
    }

    @DataBoundSetter
    public void setRegistryCredentialsId(String registryCredentialsId) {
        this.registryCredentialsId = clean(registryCredentialsId);
        save();
    }

    public String getAzureCredentialsId() {
        return azureCredentialsId;
    }

    @DataBoundSetter
    public void setAzureCredentialsId(String azureCredentialsId) {
        this.azureCredentialsId = clean(azureCredentialsId);
        save();
    }

    public String getKubeconfigCredentialsId() {
        return kubeconfigCredentialsId;
    }

    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        this.kubeconfigCredentialsId = clean(kubeconfigCredentialsId);
        save();
    }

    public String getSigningCredentialsId() {
        return signingCredentialsId;
    }

    @DataBoundSetter
    public void setSigningCredentialsId(String signingCredentialsId) {
        this.signingCredentialsId = clean(signingCredentialsId);
        save();
    }

    public String getEngine() {
        return engine;
    }

    @DataBoundSetter
    public void setEngine(String engine) {
        this.engine = clean(engine);
        save();
    }

    public String getBaseImage() {
        return baseImage;
    }

    @DataBoundSetter
    public void setBaseImage(String baseImage) {
        this.baseImage = clean(baseImage);
        save();
    }

    public boolean isRequireProvenance() {
        return requireProvenance;
    }

    @DataBoundSetter
    public void setRequireProvenance(boolean requireProvenance) {
        this.requireProvenance = requireProvenance;
        save();
    }

    /** PEM public keys (ECDSA P-256 or Ed25519), one block after another. */
    public String getAllowedKeys() {
        return allowedKeys;
    }

    @DataBoundSetter
    public void setAllowedKeys(String allowedKeys) {
        this.allowedKeys = clean(allowedKeys);
        save();
    }

    @POST
    public FormValidation doCheckAllowedKeys(@QueryParameter String value) {
        return toFormValidation(Checks.allowedKeys(value));
    }

    @POST
    public FormValidation doCheckRegistry(@QueryParameter String value) {
        return toFormValidation(Checks.registry(value));
    }

    @POST
    public FormValidation doCheckBaseImage(@QueryParameter String value) {
        return toFormValidation(Checks.baseImage(value));
    }

    @POST
    public FormValidation doCheckEngine(@QueryParameter String value) {
        return toFormValidation(Checks.engine(value));
    }

    /** The engine as a select: none (the agent decides), docker or podman. */
    @POST
    public ListBoxModel doFillEngineItems() {
        ListBoxModel items = new ListBoxModel();
        Checks.ENGINE_CHOICES.forEach(choice -> items.add(choice.get(0), choice.get(1)));
        return items;
    }

    /** Registry credentials (username with password): administrators choose from the ids, others see the saved one. */
    @POST
    public ListBoxModel doFillRegistryCredentialsIdItems(@QueryParameter String value) {
        return CredentialItems.fill(CredentialItems.JENKINS, "registryCredentialsId", value);
    }

    @POST
    public ListBoxModel doFillAzureCredentialsIdItems(@QueryParameter String value) {
        return CredentialItems.fill(CredentialItems.JENKINS, "azureCredentialsId", value);
    }

    /** Kubeconfig credentials (a secret file). */
    @POST
    public ListBoxModel doFillKubeconfigCredentialsIdItems(@QueryParameter String value) {
        return CredentialItems.fill(CredentialItems.JENKINS, "kubeconfigCredentialsId", value);
    }

    /** The signing key's credentials (a secret file holding a PEM PKCS#8 key). */
    @POST
    public ListBoxModel doFillSigningCredentialsIdItems(@QueryParameter String value) {
        return CredentialItems.fill(CredentialItems.JENKINS, "signingCredentialsId", value);
    }

    private static FormValidation toFormValidation(Check check) {
        return switch (check.kind()) {
            case OK -> FormValidation.ok();
            case WARNING -> FormValidation.warning(check.message());
            case ERROR -> FormValidation.error(check.message());
        };
    }

    private static String clean(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
