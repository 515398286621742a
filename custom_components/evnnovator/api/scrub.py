"""Removing secrets from text the API sent: a gateway may quote the token back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

REDACTED = "**REDACTED**"


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of the JSON `value` with each secret replaced in every string, keys included.

    Iterative, not recursive: an answer nested thousands of levels deep must not fail here.
    """
    wanted = tuple(secret for secret in secrets if secret)
    if not wanted:
        return value

    def clean(text: str) -> str:
        for secret in wanted:
            text = text.replace(secret, REDACTED)
        return text

    root: list[Any] = [value]
    pending: list[tuple[Any, Any]] = [(root, 0)]
    while pending:
        container, key = pending.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = clean(item)
        elif isinstance(item, dict):
            copy = {clean(k) if isinstance(k, str) else k: v for k, v in item.items()}
            container[key] = copy
            pending.extend((copy, k) for k in copy)
        elif isinstance(item, list | tuple):
            items = list(item)
            container[key] = items
            pending.extend((items, index) for index in range(len(items)))
    return root[0]
