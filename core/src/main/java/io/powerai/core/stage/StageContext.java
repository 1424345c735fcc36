package io.powerai.core.stage;

import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.Builder;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.event.EventSink;
import io.powerai.core.gpu.GpuTools;
import io.powerai.core.lifecycle.Cancellation;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.workspace.Workspace;

import java.time.Clock;

/** What every stage works with; built once by a face (the CLI, a test) and handed to the stages. */
public record StageContext(
        PipelineSpec spec,
        Workspace workspace,
        ContainerEngine engine,
        RegistryClient registry,
        EventSink events,
        Clock clock,
        GpuTools gpu,
        Cancellation cancellation,
        Attestor attestor) {

    /** A context that writes its attestations unsigned, the builder unknown (faces that sign pass an {@link Attestor}). */
    public StageContext(PipelineSpec spec, Workspace workspace, ContainerEngine engine, RegistryClient registry, EventSink events,
                        Clock clock, GpuTools gpu, Cancellation cancellation) {
        this(spec, workspace, engine, registry, events, clock, gpu, cancellation, Attestor.unsigned(Builder.unknown()));
    }

    /** A context that nothing aborts (tests, in-process callers): its cancellation is never triggered. */
    public StageContext(PipelineSpec spec, Workspace workspace, ContainerEngine engine, RegistryClient registry, EventSink events,
                        Clock clock, GpuTools gpu) {
        this(spec, workspace, engine, registry, events, clock, gpu, new Cancellation());
    }

    /** A context whose GPU tools are the defaults (nvidia-smi from the PATH). */
    public StageContext(PipelineSpec spec, Workspace workspace, ContainerEngine engine, RegistryClient registry, EventSink events,
                        Clock clock) {
        this(spec, workspace, engine, registry, events, clock, GpuTools.defaults());
    }
}
