package io.powerai.core.stage;

import io.powerai.core.build.BuildInfo;
import io.powerai.core.kubernetes.ClusterCredentials;
import io.powerai.core.registry.Credentials;

/**
 * What a face read from its environment for the stages, once, as typed values: the CI build, the registry
 * credentials for the pipeline's registry (what a Kubernetes image pull secret carries), and how to reach a cluster.
 * The core reads no environment variable of its own.
 *
 * @param build    the CI build, or {@link BuildInfo#NONE}
 * @param registry the registry credentials, or null (the agent's own logins serve)
 * @param cluster  the cluster credentials, or {@link ClusterCredentials#NONE}
 */
public record RunEnvironment(BuildInfo build, Credentials registry, ClusterCredentials cluster) {
    /** Nothing given: no CI build, no credentials. */
    public static final RunEnvironment NONE = new RunEnvironment(BuildInfo.NONE, null, ClusterCredentials.NONE);

    public RunEnvironment {
        build = build == null ? BuildInfo.NONE : build;
        cluster = cluster == null ? ClusterCredentials.NONE : cluster;
    }
}
