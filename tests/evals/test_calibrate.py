from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.settings import Settings
from evals.calibrate import best, sweep


def test_sweep_counts_abstentions_per_threshold() -> None:
    scores = [(True, 0.9), (True, 0.5), (False, 0.2), (False, 0.6)]
    rows = {r.threshold: r for r in sweep(scores, [0.3, 0.55, 1.0])}
    assert rows[0.3].abstention_recall == 0.5 and rows[0.3].answerable_kept == 1.0
    assert rows[0.3].abstention_precision == 1.0
    assert rows[0.55].abstention_recall == 0.5 and rows[0.55].answerable_kept == 0.5
    assert rows[1.0].abstention_recall == 1.0 and rows[1.0].answerable_kept == 0.0


def test_best_maximises_youden_j_and_prefers_the_lower_threshold_on_ties() -> None:
    scores = [(True, 0.8), (True, 0.7), (False, 0.1), (False, 0.2)]
    chosen = best(sweep(scores, [0.0, 0.25, 0.5, 0.75]))
    assert chosen.threshold == 0.25 and chosen.youden_j == 1.0


def test_near_ties_go_to_the_lower_threshold() -> None:
    scores = [(True, 0.9)] * 10 + [(True, 0.45)] * 2 + [(False, 0.42)] * 3 + [(False, 0.1)] * 3
    rows = sweep(scores, [0.4, 0.5])
    assert rows[1].youden_j > rows[0].youden_j
    assert best(rows, tolerance=0.5).threshold == 0.4
    assert best(rows, tolerance=0.0).threshold == 0.5


def test_a_case_that_abstains_for_another_rule_abstains_at_every_threshold(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A question naming a law no source holds, or asking for a value no sentence states,
    abstains whatever the threshold: calibration must count it so, as the product does."""
    from evals import calibrate

    answers = {
        "answered": SimpleNamespace(abstained=False, evidence=0.7),
        "names GDPR": SimpleNamespace(abstained=True, evidence=0.9),
    }

    class FakeQA:
        def __init__(self, settings: Settings) -> None:
            assert settings.answer.min_evidence == 0.0

        def ingest(self, *args: object) -> None:
            return None

        def ask(self, question: str, mode: str) -> SimpleNamespace:
            return answers[question]

    cases = [
        SimpleNamespace(id="q1", question="answered", answerable=True),
        SimpleNamespace(id="q2", question="names GDPR", answerable=False),
    ]
    monkeypatch.setattr(calibrate, "ComplyQA", FakeQA)
    monkeypatch.setattr(calibrate, "load_dataset", lambda *a: SimpleNamespace(cases=cases))
    scores = calibrate.evidence_scores(tmp_path, tmp_path, Settings.load(), progress=False)
    assert scores == [(True, 0.7), (False, -1.0)]
    assert all(r.abstention_recall == 1.0 for r in sweep(scores, [0.0, 0.5, 0.95]))
