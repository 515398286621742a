"""When "no session" is believed: one such answer right after a running session is a glitch.

Gateways answer a single 404 or `data: null` now and then. Taken at its word, one would end a
running session for a poll: the sensors would turn unknown, Charging off and on, the polling
slow down and a limit's planned STOP go out late. Pure logic, no Home Assistant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import Session

BELIEVED_AFTER = 2
"""The running session has ended only at this many "no session" answers in a row."""


class MissingSessionFilter:
    """Counts "no session" answers that follow a running session."""

    def __init__(self) -> None:
        """Start with nothing missed."""
        self._missed = 0

    def is_glitch(self, previous: Session | None, latest: Session | None) -> bool:
        """Whether `latest` (None: "no session") is to be disbelieved, given the last data.

        A session in the answer, even one that shows its end, is always believed.
        """
        if latest is not None or previous is None or not previous.is_running:
            self._missed = 0
            return False
        self._missed += 1
        if self._missed >= BELIEVED_AFTER:
            self._missed = 0
            return False
        return True
