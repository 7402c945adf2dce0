"""The action server's metrics helpers: bounded action labels, outcomes, question counts."""

from __future__ import annotations

from prometheus_client import REGISTRY

from actions.metrics import action_label, count_question, observe


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_action_labels_are_plain_names_only() -> None:
    assert action_label({"next_action": "action_office_info"}) == "action_office_info"
    assert action_label({"next_action": "x" * 81}) == "unknown"
    assert action_label({"next_action": "0912345678"}) == "unknown"
    assert action_label({"next_action": "Xin chào bạn"}) == "unknown"
    assert action_label(None) == "unknown"


def test_runs_counted_by_outcome_and_unknown_names_not_kept() -> None:
    before_ok = value("actions_runs_total", action="action_office_info", outcome="ok")
    before_404 = value("actions_runs_total", action="unknown", outcome="unknown_action")
    observe("action_office_info", 200, 0.01)
    observe("action_made_up_by_a_caller", 404, 0.001)
    observe("action_office_info", 500, 0.02)
    assert value("actions_runs_total", action="action_office_info", outcome="ok") == before_ok + 1
    assert value("actions_runs_total", action="action_office_info", outcome="error") >= 1
    assert value("actions_runs_total", action="unknown", outcome="unknown_action") == before_404 + 1
    assert (
        value("actions_runs_total", action="action_made_up_by_a_caller", outcome="unknown_action")
        == 0
    )


def test_questions_counted_by_outcome() -> None:
    before = value("actions_questions_total", outcome="no_procedure")
    count_question("no_procedure")
    assert value("actions_questions_total", outcome="no_procedure") == before + 1
