"""The integration's data files: in sync with each other and with the code."""

import json
from pathlib import Path
import re
from typing import Any

from homeassistant import const as ha_const
import pytest
import yaml

from custom_components.evnnovator import PLATFORMS
from custom_components.evnnovator.api import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
)
from custom_components.evnnovator.binary_sensor import CHARGING, LIMIT_STOP_FAILED
from custom_components.evnnovator.button import START_CHARGING, STOP_CHARGING
from custom_components.evnnovator.errors import translation_key_for
from custom_components.evnnovator.number import LIMITS
from custom_components.evnnovator.sensor import SENSORS

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "evnnovator"
# One of each kind of error the client raises.
CLIENT_ERRORS = [
    EvnnovatorAuthenticationError("x", status=401),
    EvnnovatorAuthenticationError("x", status=403),
    EvnnovatorRateLimitError("x", retry_after=None),
    EvnnovatorConnectionError("x"),
    EvnnovatorServerError("x"),
    EvnnovatorCommandRejectedError("x", command="STOP_SESSION"),
    EvnnovatorResponseError("x"),
    EvnnovatorError("x"),
]
# Exceptions raised by key rather than through translation_key_for.
DIRECT_EXCEPTION_KEYS = {
    "already_charging",
    "already_stopping",
    "not_charging",
    "no_charge_point",
    "not_remote_startable",
    "session_unavailable",
    "session_missing",
}
# Every rule of Home Assistant's integration quality scale, bronze to platinum.
QUALITY_SCALE_RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
    "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry", "action-exceptions", "config-entry-unloading",
    "docs-configuration-parameters", "docs-installation-parameters", "entity-unavailable",
    "integration-owner", "log-when-unavailable", "parallel-updates", "reauthentication-flow",
    "test-coverage", "devices", "diagnostics", "discovery-update-info", "discovery",
    "docs-data-update", "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default",
    "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices", "async-dependency",
    "inject-websession", "strict-typing",
}  # fmt: skip


def load(name: str) -> Any:
    return json.loads((INTEGRATION / name).read_text(encoding="utf-8"))


def test_english_translation_is_strings_json() -> None:
    """translations/en.json is exactly strings.json, so the UI shows what the code promises."""
    assert load("translations/en.json") == load("strings.json")


def test_every_entity_has_a_name_and_an_icon() -> None:
    """Each entity description's translation key has a name in strings.json and an icon."""
    strings = load("strings.json")["entity"]
    icons = load("icons.json")["entity"]
    used = {
        "sensor": {description.translation_key for description in SENSORS},
        "number": {description.translation_key for description in LIMITS},
        "binary_sensor": {CHARGING.translation_key, LIMIT_STOP_FAILED.translation_key},
        "button": {START_CHARGING.translation_key, STOP_CHARGING.translation_key},
    }
    assert {platform.value for platform in PLATFORMS} == set(used)
    for platform, keys in used.items():
        assert set(strings[platform]) == keys
        assert set(icons[platform]) == keys
        assert all(strings[platform][key]["name"] for key in keys)


def test_status_states_are_translated() -> None:
    """Every option of the status sensor has a translated state and an icon."""
    [status] = [description for description in SENSORS if description.key == "status"]
    assert status.options is not None
    assert set(load("strings.json")["entity"]["sensor"]["status"]["state"]) == set(status.options)
    assert set(load("icons.json")["entity"]["sensor"]["status"]["state"]) == set(status.options)


@pytest.mark.parametrize("error", CLIENT_ERRORS)
def test_every_client_error_has_a_translated_message(error: EvnnovatorError) -> None:
    """Each kind of client error maps to its own message in strings.json."""
    assert translation_key_for(error) in load("strings.json")["exceptions"]


def test_client_errors_have_distinct_messages() -> None:
    """401 and 403, 5xx and an unreachable API: each kind says what happened, none shares."""
    keys = [translation_key_for(error) for error in CLIENT_ERRORS]
    assert len(set(keys)) == len(keys)


def test_no_unused_exception_messages() -> None:
    """strings.json holds no exception message that nothing raises."""
    raised = {translation_key_for(error) for error in CLIENT_ERRORS} | DIRECT_EXCEPTION_KEYS
    assert set(load("strings.json")["exceptions"]) == raised


def test_manifest() -> None:
    """The manifest has what HACS and hassfest need, ordered domain, name, then alphabetically."""
    manifest = load("manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "evnnovator"
    assert manifest["iot_class"] == "cloud_polling"
    assert manifest["config_flow"] is True
    for key in ("codeowners", "documentation", "issue_tracker", "requirements", "version"):
        assert key in manifest


def test_manifest_files_us_with_the_ev_chargers_and_links_the_docs() -> None:
    """Home Assistant 2026.11 lists integrations by category and connectivity (as its own cloud EV
    chargers, ohme and wallbox, declare them); the documentation link opens this repository's docs/
    (the Marketplace and the integration's page link to it)."""
    manifest = load("manifest.json")
    repository = manifest["issue_tracker"].removesuffix("/issues")
    assert manifest["categories"] == ["energy.ev_charging"]
    assert manifest["connectivity"] == ["cloud"]
    assert manifest["documentation"] == f"{repository}/tree/main/docs"


def test_quality_scale_covers_every_rule_truthfully() -> None:
    """Every rule is listed; each is done, or exempt with a reason."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert set(rules) == QUALITY_SCALE_RULES
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] == "exempt", rule
            assert status["comment"].strip(), rule
        else:
            assert status == "done", rule


def test_minimum_home_assistant_is_the_oldest_tested() -> None:
    """HACS and the blueprint ask for the Home Assistant these tests pin, the oldest we test."""
    repo = INTEGRATION.parent.parent
    hacs = json.loads((repo / "hacs.json").read_text(encoding="utf-8"))
    blueprint = (
        repo / "blueprints" / "automation" / "evnnovator" / "stop_at_energy.yaml"
    ).read_text()
    assert hacs["homeassistant"] == ha_const.__version__
    assert re.findall(r'min_version: "(.*)"', blueprint) == [ha_const.__version__]


def test_brand_images_exist() -> None:
    """The brand images HACS and Home Assistant show for the integration."""
    for name in ("icon.png", "logo.png"):
        image = INTEGRATION / "brand" / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
