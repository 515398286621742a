"""The rule for "no session" answers, on its own: believed at the second in a row."""

from custom_components.evnnovator.api import Session, parse_session
from custom_components.evnnovator.glitches import MissingSessionFilter


def session(status: str) -> Session:
    return parse_session({"id": "ae18c8e04f45946f0706735285a0a069", "status": status})


def test_one_missing_answer_after_a_running_session_is_a_glitch() -> None:
    running = session("ACTIVE")
    rule = MissingSessionFilter()
    assert rule.is_glitch(running, None)
    assert not rule.is_glitch(running, None)  # the second in a row ends it
    assert not rule.is_glitch(None, None)


def test_a_session_in_between_starts_the_count_again() -> None:
    running = session("PENDING")
    rule = MissingSessionFilter()
    assert rule.is_glitch(running, None)
    assert not rule.is_glitch(running, running)
    assert rule.is_glitch(running, None)


def test_after_an_ended_session_no_session_is_believed_at_once() -> None:
    rule = MissingSessionFilter()
    assert not rule.is_glitch(session("COMPLETED"), None)
    assert not rule.is_glitch(session("ACTIVE"), session("COMPLETED"))
