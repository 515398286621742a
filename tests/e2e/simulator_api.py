"""The simulator seen from the end-to-end tests: its API as a client sees it, its control API."""

from typing import Any

import requests

from evnnovator_simulator import DEFAULT_PREFIX, DEMO_AUTH_ID, DEMO_TOKEN
from evnnovator_simulator.gateway import CONTROL_PREFIX

_TIMEOUT = 10
_AUTHORIZATION = {"Authorization": f"Token {DEMO_TOKEN}"}


class SimulatorApi:
    """Calls to a simulator process at `origin` (http://host:port)."""

    def __init__(self, origin: str) -> None:
        """Talk to the simulator at `origin`."""
        self.origin = origin
        self.base_url = f"{origin}{DEFAULT_PREFIX}"
        """What the integration's "Base URL" field takes."""

    def is_up(self) -> bool | None:
        """True once the control API answers (None before, for polling)."""
        try:
            return requests.get(self._control("/requests"), timeout=5).ok or None
        except requests.ConnectionError:
            return None

    def latest(self, auth_id: str = DEMO_AUTH_ID) -> dict[str, Any]:
        """Return a demo driver's latest session as the API serves it now (`data`)."""
        response = requests.get(
            f"{self.base_url}/sessions/{auth_id}/latest",
            headers=_AUTHORIZATION,
            timeout=_TIMEOUT,
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()["data"]
        return data

    def start_session(self, auth_id: str) -> str:
        """Start a session of `auth_id` as the driver's other app would; return its hex id."""
        response = requests.post(
            self._control("/sessions"), json={"auth_id": auth_id}, timeout=_TIMEOUT
        )
        response.raise_for_status()
        session_id: str = response.json()["id"]
        return session_id

    def stop_session(self, session_id: str) -> str:
        """Send STOP_SESSION as the driver's other app would; return the result (ACCEPTED...)."""
        response = requests.post(
            f"{self.base_url}/commands/STOP_SESSION",
            json={"session_id": session_id},
            headers=_AUTHORIZATION,
            timeout=_TIMEOUT,
        )
        response.raise_for_status()
        result: str = response.json()["result"]
        return result

    def requests(self) -> list[dict[str, Any]]:
        """Return the API requests the simulator served, oldest first."""
        response = requests.get(self._control("/requests"), timeout=_TIMEOUT)
        response.raise_for_status()
        served: list[dict[str, Any]] = response.json()
        return served

    def clear_requests(self) -> None:
        """Forget the requests served so far."""
        requests.delete(self._control("/requests"), timeout=_TIMEOUT).raise_for_status()

    def _control(self, path: str) -> str:
        return f"{self.origin}{CONTROL_PREFIX}{path}"
