"""Home Assistant's HTTP API, as far as the end-to-end tests need it: onboarding and REST calls."""

from dataclasses import dataclass
from datetime import datetime
import json
import time
from typing import Any

import requests

USER = {"name": "Owner", "username": "owner", "password": "e2e-owner-password", "language": "en"}
_TIMEOUT = 30


@dataclass
class Tokens:
    """The tokens of the owner, as the login form would have obtained them for the frontend."""

    access_token: str
    refresh_token: str
    expires_in: int
    client_id: str


class HomeAssistantApi:
    """REST calls to a Home Assistant at `url`."""

    def __init__(self, url: str) -> None:
        """Talk to `url` (http://host:port, no trailing slash)."""
        self.url = url
        self.client_id = f"{url}/"
        self.tokens: Tokens | None = None

    def is_up(self) -> bool | None:
        """True once the HTTP server answers onboarding's status call (None before, for polling)."""
        try:
            return requests.get(f"{self.url}/api/onboarding", timeout=5).ok or None
        except requests.ConnectionError:
            return None

    def onboard(self) -> Tokens:
        """Create the owner and finish every onboarding step, so the UI shows no wizard."""
        answer = self._post("/api/onboarding/users", {"client_id": self.client_id, **USER})
        token = requests.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": answer["auth_code"],
                "client_id": self.client_id,
            },
            timeout=_TIMEOUT,
        )
        token.raise_for_status()
        body = token.json()
        self.tokens = Tokens(
            body["access_token"], body["refresh_token"], body["expires_in"], self.client_id
        )
        self._post("/api/onboarding/core_config", {})
        self._post("/api/onboarding/analytics", {})
        self._post(
            "/api/onboarding/integration",
            {"client_id": self.client_id, "redirect_uri": f"{self.client_id}?auth_callback=1"},
        )
        steps = self._get("/api/onboarding")
        assert all(step["done"] for step in steps), steps
        return self.tokens

    def frontend_tokens(self) -> str:
        """Return the JSON the frontend keeps in localStorage `hassTokens` after a login."""
        assert self.tokens is not None
        return json.dumps(
            {
                "access_token": self.tokens.access_token,
                "refresh_token": self.tokens.refresh_token,
                "token_type": "Bearer",
                "expires_in": self.tokens.expires_in,
                "expires": int((time.time() + self.tokens.expires_in) * 1000),
                "hassUrl": self.url,
                "clientId": self.client_id,
            }
        )

    def config_entries(self, domain: str | None = None) -> list[dict[str, Any]]:
        """Return the config entries (of `domain`)."""
        entries: list[dict[str, Any]] = self._get("/api/config/config_entries/entry")
        return [entry for entry in entries if domain in (None, entry["domain"])]

    def remove_config_entry(self, entry_id: str) -> None:
        """Delete a config entry."""
        self._call("DELETE", f"/api/config/config_entries/entry/{entry_id}")

    def add_config_entry(self, handler: str, *answers: dict[str, Any]) -> dict[str, Any]:
        """Go through `handler`'s config flow with one answer a step; return the entry made."""
        step = self._post("/api/config/config_entries/flow", {"handler": handler})
        for answer in answers:
            assert step["type"] == "form", step
            step = self._post(f"/api/config/config_entries/flow/{step['flow_id']}", answer)
        assert step["type"] == "create_entry", step
        entry: dict[str, Any] = step["result"]
        return entry

    def set_options(self, entry_id: str, options: dict[str, Any]) -> None:
        """Save a config entry's options through its options flow, as the Configure dialog does."""
        flow = self._post("/api/config/config_entries/options/flow", {"handler": entry_id})
        result = self._post(f"/api/config/config_entries/options/flow/{flow['flow_id']}", options)
        assert result["type"] == "create_entry", result

    def save_automation(self, automation_id: str, config: dict[str, Any]) -> None:
        """Save an automation as the UI's automation editor does (into automations.yaml)."""
        self._post(f"/api/config/automation/config/{automation_id}", config)

    def delete_automation(self, automation_id: str) -> None:
        """Delete an automation saved by `save_automation`, as the automation editor does."""
        self._call("DELETE", f"/api/config/automation/config/{automation_id}")

    def logbook(self, since: datetime) -> list[dict[str, Any]]:
        """Return the Activity (logbook) entries since `since`, oldest first."""
        entries: list[dict[str, Any]] = self._get(f"/api/logbook/{since.isoformat()}")
        return entries

    def history(self, entity_id: str, since: datetime) -> list[str]:
        """Return the states `entity_id` had since `since` (the one it had then first)."""
        found: list[list[dict[str, Any]]] = self._get(
            f"/api/history/period/{since.isoformat()}?filter_entity_id={entity_id}"
            "&minimal_response&no_attributes&significant_changes_only=0"
        )
        return [state["state"] for states in found for state in states]

    def render_template(self, template: str) -> str:
        """Return what Home Assistant renders `template` as."""
        return self._request("POST", "/api/template", {"template": template}).text

    def entity_ids(self) -> set[str]:
        """Return the ids of all entities that have a state."""
        return set(self.states())

    def states(self) -> dict[str, str]:
        """Return the state of every entity that has one, by entity id."""
        return {state["entity_id"]: state["state"] for state in self._get("/api/states")}

    def state(self, entity_id: str) -> dict[str, Any]:
        """Return the state object of an entity."""
        state: dict[str, Any] = self._get(f"/api/states/{entity_id}")
        return state

    def call_service(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call an action (service) and wait for it to finish."""
        self._post(f"/api/services/{domain}/{service}", data)

    def _get(self, path: str) -> Any:
        return self._call("GET", path)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("POST", path, body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._request(method, path, body)
        return response.json() if response.content else None

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> requests.Response:
        headers = {}
        if self.tokens is not None:
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        response = requests.request(
            method, f"{self.url}{path}", json=body, headers=headers, timeout=_TIMEOUT
        )
        assert response.ok, f"{method} {path}: HTTP {response.status_code} {response.text}"
        return response
