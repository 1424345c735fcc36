package io.powerai.core.stage;

import io.powerai.core.json.Digests;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The names and labels of the containers powerai starts. A name follows from the workspace and the stage alone, so
 * a later run finds what a killed one left; the labels say whose a container is, so it can be found and removed
 * without trusting any file in the workspace. The workspace lock makes a name unique while it is in use.
 */
public final class Containers {
    static final String MANAGED = "io.powerai.managed";
    static final String STAGE = "io.powerai.stage";
    /** The workspace a container belongs to: a hash of the real path of the folder holding .powerai. */
    static final String PROJECT = "io.powerai.project";
    /** {@value #JOB} for a container that ends with its stage (training, smoke test), {@value #SERVICE} for a deployment. */
    static final String ROLE = "io.powerai.role";
    public static final String JOB = "job";
    public static final String SERVICE = "service";
    /** On a deployment's container: the run that started it, and the image it replaced ("" when none served). */
    public static final String RUN = "io.powerai.run";
    static final String REPLACES = "io.powerai.replaces";

    private Containers() {
    }

    /** The first 12 hex digits of the SHA-256 of the workspace folder's real path (its absolute path while absent). */
    public static String workspaceId(StageContext ctx) {
        Path root = ctx.workspace().dir().getParent();
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            real = root.toAbsolutePath().normalize();
        }
        return Digests.sha256(real.toString()).substring(0, 12);
    }

    /** {@code powerai-<role>-<project name>-<workspace id>}, e.g. powerai-train-svm-moons-3f2a9c01b2d4. */
    public static String jobName(StageContext ctx, String role) {
        return "powerai-" + role + "-" + ctx.spec().name() + "-" + workspaceId(ctx);
    }

    public static Map<String, String> jobLabels(StageContext ctx) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(MANAGED, "true");
        labels.put(PROJECT, workspaceId(ctx));
        labels.put(ROLE, JOB);
        return labels;
    }

    public static Map<String, String> labels(StageContext ctx, Stage stage, String role) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(MANAGED, "true");
        labels.put(STAGE, stage.stepName());
        labels.put(PROJECT, workspaceId(ctx));
        labels.put(ROLE, role);
        return labels;
    }
}
