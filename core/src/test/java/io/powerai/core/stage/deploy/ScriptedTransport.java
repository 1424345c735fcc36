package io.powerai.core.stage.deploy;

import io.powerai.core.stage.SmokeTransport.Answer;
import io.powerai.core.stage.SmokeTransport.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The scoring server as the smoke test sees it, answering what the test says; records every request. */
final class ScriptedTransport implements PodTransport {
    record Sent(String namespace, Map<String, String> selector, Request request) {
    }

    final List<Sent> sent = new ArrayList<>();
    private final Function<Request, Answer> answers;

    ScriptedTransport(Function<Request, Answer> answers) {
        this.answers = answers;
    }

    /** A healthy scoring server answering /score with {@code scoreAnswer}. */
    static ScriptedTransport answering(String scoreAnswer) {
        return new ScriptedTransport(r -> r.path().equals("/") ? new Answer(200, "Healthy") : new Answer(200, scoreAnswer));
    }

    @Override
    public Answer send(String namespace, Map<String, String> podSelector, Request request) {
        sent.add(new Sent(namespace, podSelector, request));
        return answers.apply(request);
    }
}
