package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.Extension;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import net.java.sezpoz.Index;
import net.java.sezpoz.IndexItem;
import org.jenkinsci.Symbol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/** What Jenkins reads besides the code: the extension index, symbols, forms, help, views. */
class PluginMetadataTest {
    @Test
    void engine_isASelectFilledByThePostOnlyDoFillEngineItems() throws Exception {
        Method fill = PoweraiGlobalConfiguration.class.getMethod("doFillEngineItems");
        assertThat(fill.getReturnType()).isEqualTo(hudson.util.ListBoxModel.class);
        assertThat(fill.isAnnotationPresent(POST.class)).isTrue();
        String jelly = new String(getClass().getResourceAsStream("/io/powerai/jenkins/plugin/PoweraiGlobalConfiguration/config.jelly")
                .readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jelly).containsPattern("field=\"engine\">\\s*<f:select checkMethod=\"post\"/>");
    }

    @Test
    void sezpozIndex_listsBothStepDescriptorsTheGlobalConfigurationAndTheModelHistoryFactory() {
        Set<String> indexed = new TreeSet<>();
        for (IndexItem<Extension, Object> item : Index.load(Extension.class, Object.class, getClass().getClassLoader())) {
            // the hpi build's test class path carries the indexes of Jenkins and other plugins too
            if (item.className().startsWith("io.powerai.")) {
                indexed.add(item.className());
            }
        }
        assertThat(indexed).containsExactlyInAnyOrder(
                PoweraiCliStep.DescriptorImpl.class.getName(),
                PoweraiRecordLineageStep.DescriptorImpl.class.getName(),
                PoweraiSummaryStep.DescriptorImpl.class.getName(),
                PoweraiGlobalConfiguration.class.getName(),
                ModelHistoryAction.Factory.class.getName());
    }

    @Test
    void symbolIndex_listsTheGlobalConfigurationUnderPowerai() throws IOException {
        List<String> indexed = new ArrayList<>();
        for (URL index : Collections.list(getClass().getClassLoader().getResources("META-INF/annotations/org.jenkinsci.Symbol"))) {
            try (InputStream in = index.openStream()) {
                indexed.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            }
        }
        assertThat(indexed).contains(PoweraiGlobalConfiguration.class.getName());
        assertThat(PoweraiGlobalConfiguration.class.getAnnotation(Symbol.class).value()).containsExactly("powerai");
    }

    @Test
    void globalConfiguration_hasTheSevenDefaultsAndTheDeployPolicyAsBoundPropertiesWithGetters() throws Exception {
        assertThat(boundProperties(PoweraiGlobalConfiguration.class)).containsExactlyInAnyOrder(
                "registry", "registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId", "signingCredentialsId", "engine",
                "baseImage", "requireProvenance", "allowedKeys");
        for (String property : boundProperties(PoweraiGlobalConfiguration.class)) {
            // configuration as code exports what it can read back: a String by its get-, the checkbox by its is-getter
            if (property.equals("requireProvenance")) {
                assertThat(PoweraiGlobalConfiguration.class.getMethod("isRequireProvenance").getReturnType()).isEqualTo(boolean.class);
            } else {
                assertThat(PoweraiGlobalConfiguration.class.getMethod("get" + capitalize(property)).getReturnType()).isEqualTo(String.class);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {PoweraiGlobalConfiguration.class, PoweraiCliStep.class, PoweraiRecordLineageStep.class, PoweraiSummaryStep.class})
    void everyBoundField_hasAHelpFileAndAFormEntry(Class<?> type) throws IOException {
        String config = resourceText(viewPath(type, "config.jelly"));
        for (String property : boundProperties(type)) {
            assertThat(resource(viewPath(type, "help-" + property + ".html"))).as("help-%s.html of %s", property, type.getSimpleName()).isTrue();
            assertThat(config).as("config.jelly of %s", type.getSimpleName()).contains("field=\"" + property + "\"");
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {PoweraiCliStep.class, PoweraiRecordLineageStep.class, PoweraiSummaryStep.class})
    void everyStep_hasHelp(Class<?> type) {
        assertThat(resource(viewPath(type, "help.html"))).isTrue();
    }

    @Test
    void formChecks_areForRealFields_takeTheValue_andArePostOnly() throws IOException {
        Set<String> properties = boundProperties(PoweraiGlobalConfiguration.class);
        String config = resourceText(viewPath(PoweraiGlobalConfiguration.class, "config.jelly"));
        List<String> checked = new ArrayList<>();
        for (Method method : PoweraiGlobalConfiguration.class.getMethods()) {
            if (!method.getName().startsWith("doCheck")) {
                continue;
            }
            String property = decapitalize(method.getName().substring("doCheck".length()));
            checked.add(property);
            assertThat(properties).contains(property);
            assertThat(method.isAnnotationPresent(POST.class)).as(method.getName()).isTrue();
            Parameter value = method.getParameters()[0];
            assertThat(value.isAnnotationPresent(QueryParameter.class)).isTrue();
            assertThat(value.getName()).isEqualTo("value");
            // the form must send the check as POST too, or Jenkins answers 405
            int entry = config.indexOf("field=\"" + property + "\"");
            assertThat(config.substring(entry, config.indexOf("</f:entry>", entry))).contains("checkMethod=\"post\"");
        }
        assertThat(checked).containsExactlyInAnyOrder("registry", "baseImage", "engine", "allowedKeys");
    }

    @Test
    void staplerProcessorsRan_constructorAndQueryParameterNamesAreRecorded() {
        assertThat(resource("/io/powerai/jenkins/plugin/PoweraiRecordLineageStep.stapler")).isTrue();
        assertThat(resource("/io/powerai/jenkins/plugin/PoweraiGlobalConfiguration/doCheckRegistry.stapler")).isTrue();
    }

    @Test
    void stepsHavePublicDataBoundConstructors() throws Exception {
        for (Class<?> step : List.of(PoweraiCliStep.class, PoweraiRecordLineageStep.class)) {
            assertThat(step.getConstructor().isAnnotationPresent(DataBoundConstructor.class)).as(step.getSimpleName()).isTrue();
        }
    }

    @Test
    void pluginDescription_exists() throws IOException {
        assertThat(resourceText("/index.jelly")).contains("poweraiCli").contains("ML lineage");
    }

    /** Properties a form or a pipeline sets: @DataBoundSetter methods and fields, @DataBoundConstructor parameters. */
    static Set<String> boundProperties(Class<?> type) {
        Set<String> properties = new TreeSet<>();
        for (Method method : type.getMethods()) {
            if (method.isAnnotationPresent(DataBoundSetter.class)) {
                properties.add(decapitalize(method.getName().substring(3)));
            }
        }
        Arrays.stream(type.getDeclaredFields())
                .filter(f -> f.isAnnotationPresent(DataBoundSetter.class) && !Modifier.isStatic(f.getModifiers()))
                .forEach(f -> properties.add(f.getName()));
        Arrays.stream(type.getConstructors()).filter(c -> c.isAnnotationPresent(DataBoundConstructor.class))
                .flatMap(c -> Arrays.stream(c.getParameters())).forEach(p -> properties.add(p.getName()));
        return properties;
    }

    private static String viewPath(Class<?> type, String file) {
        return "/" + type.getName().replace('.', '/') + "/" + file;
    }

    private static boolean resource(String path) {
        return PluginMetadataTest.class.getResource(path) != null;
    }

    private static String resourceText(String path) throws IOException {
        try (InputStream in = PluginMetadataTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String capitalize(String s) {
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private static String decapitalize(String s) {
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}
