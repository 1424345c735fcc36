package io.powerai.jenkins.plugin;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import hudson.model.Result;
import java.util.HashMap;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/** A step context holding what a test puts in it; no Jenkins runs here, so nothing else is there. */
final class FakeStepContext extends StepContext {
    private static final long serialVersionUID = 1L;

    private final transient Map<Class<?>, Object> values = new HashMap<>();
    transient Object result;
    transient Throwable failure;

    <T> FakeStepContext with(Class<T> key, T value) {
        values.put(key, value);
        return this;
    }

    @Override
    public <T> T get(Class<T> key) {
        return key.cast(values.get(key));
    }

    @Override
    public void onSuccess(Object value) {
        this.result = value;
    }

    @Override
    public void onFailure(Throwable t) {
        this.failure = t;
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public ListenableFuture<Void> saveState() {
        return Futures.immediateFuture(null);
    }

    @Override
    public void setResult(Result r) {
        throw new UnsupportedOperationException("the plugin's steps never set the build result directly");
    }

    @Override
    public BodyInvoker newBodyInvoker() {
        throw new IllegalStateException("the plugin's steps take no body");
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
