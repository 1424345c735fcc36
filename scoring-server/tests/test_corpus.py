"""The request corpus (see corpus.py) against the built-in server, then against the same application under gunicorn."""
import pytest

from corpus import cases
from httpclient import exchange

CASES = cases()


def test_corpus_isLargeAndCoversEachArea():
    names = " ".join(c.name for c in CASES)
    assert len(CASES) >= 60
    for area in ("content-length", "transfer-encoding", "chunk", "pipelined", "bare-lf", "obs-fold", "space-before-colon",
                 "superscript", "header-70kb", "deep-json", "host"):
        assert area in names, area


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_builtin_answersAsTheCaseExpects(builtin_server, case):
    statuses, ending = exchange(builtin_server.port, case.request, answers_expected=max(1, len(case.statuses)))

    assert (statuses, ending) == (case.statuses, case.ending), "\n".join(case.description)


def test_builtin_noWorkerDiedOverTheCorpus(builtin_server):
    workers = builtin_server.workers()
    for case in CASES:
        exchange(builtin_server.port, case.request, answers_expected=max(1, len(case.statuses)), timeout=2)

    assert builtin_server.workers() == workers
    assert "worker died" not in builtin_server.log_text()
    assert builtin_server.health() == 200


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gunicorn_agreesWithTheBuiltinServer_orTheDifferenceIsListed(gunicorn_server, case):
    statuses, ending = exchange(gunicorn_server.port, case.request, answers_expected=1, timeout=2, wait_for_close=0.2)
    gunicorn = case.first_result(statuses, ending)
    builtin = case.first_result(case.statuses, case.ending)

    # gunicorn's sync workers close every connection after one answer: only the first answer is compared.
    if case.gunicorn is None:
        assert gunicorn == builtin, "gunicorn answered %s where the built-in server answers %s; list it in the case" % (gunicorn, builtin)
    else:
        assert case.gunicorn != builtin, "the case lists a difference that is none"
        assert gunicorn == case.gunicorn


def test_readme_listsExactlyTheCasesWhereGunicornDiffers():
    import os
    import re
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")) as f:
        listed = set(re.findall(r"^\| `([^`]+)` \|", f.read(), re.M))
    assert listed == {c.name for c in CASES if c.gunicorn}
