package io.powerai.core.stage.deploy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UndoJournalTest {
    @Test
    void unwind_runsNewestFirst_andStopsAtTheFirstFailure_returningItsMessage() {
        List<String> ran = new ArrayList<>();
        UndoJournal undo = new UndoJournal("aksDeploy");
        undo.push(() -> ran.add("first"));
        undo.push(() -> {
            throw new IllegalStateException("refused");
        });
        undo.push(() -> ran.add("third"));
        assertThat(undo.unwind()).isEqualTo("refused");
        assertThat(ran).containsExactly("third");
        assertThat(undo.isEmpty()).isTrue();

        undo.push(() -> ran.add("again"));
        assertThat(undo.unwind()).isNull();
        assertThat(ran).containsExactly("third", "again");
    }

    /** A step's bare failure (KubeCalls') is recorded as the user sees it: with the stage whose changes these are. */
    @Test
    void unwind_aBareFailure_isReturnedWithTheStage() {
        UndoJournal undo = new UndoJournal("aksDeploy");
        undo.push(() -> {
            throw io.powerai.core.PowerAiException.InfrastructureUnavailable.bare("undo: apply Service s failed: connection refused");
        });
        assertThat(undo.unwind()).isEqualTo("aksDeploy: undo: apply Service s failed: connection refused");
    }
}
