package io.powerai.core.deploy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UndoJournalTest {
    @Test
    void unwind_runsNewestFirst_andStopsAtTheFirstFailure_returningItsMessage() {
        List<String> ran = new ArrayList<>();
        UndoJournal undo = new UndoJournal();
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
}
