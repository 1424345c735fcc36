/**
 * Running the tools powerai drives (docker, podman, nvidia-smi, az, docker-credential-* helpers) as processes: output
 * streamed as plain text, timeouts, aborts. Every adapter that runs a program goes through here; it depends on
 * nothing of powerai's but the lifecycle's cancellation.
 */
package io.powerai.core.process;
