"""The development configuration (scripts/develop, the end-to-end tests): it loads what the docs
show, and the runtime requirements cover everything it sets up, as HA starts with --skip-pip."""

import json
from pathlib import Path
import re
import shutil
import subprocess

from homeassistant import bootstrap
import homeassistant.components
from homeassistant.const import __version__ as ha_version
from homeassistant.util.yaml import load_yaml_dict
import pytest

REPO = Path(__file__).parent.parent
COMPONENTS = Path(homeassistant.components.__file__).parent
# What scripts/ha-config installs for the Home Assistant the tests run.
RUNTIME_REQUIREMENTS = REPO / "scripts" / "ha-runtime-requirements" / f"{ha_version}.txt"
# What the docs show beyond the integration's own pages: Activity, History, the Energy
# dashboard, and automations (from the blueprint), scripts and scenes made in the UI.
SHOWN_IN_THE_README = {"logbook", "history", "energy", "automation", "script", "scene"}
# What the UI saves, and the configuration includes to load it again.
MADE_IN_THE_UI = {
    "automation": "automations.yaml",
    "script": "scripts.yaml",
    "scene": "scenes.yaml",
}


@pytest.fixture
def ha_config_dir(tmp_path: Path) -> Path:
    """A configuration folder as scripts/ha-config leaves it, without installing anything.

    The script's lines that lay out the folder run as they are, its installing step skipped.
    """
    script = (REPO / "scripts" / "ha-config").read_text(encoding="utf-8")
    layout = re.sub(r"(?m)^uv pip install.*(\n  .*)*$", "", script)
    assert layout != script
    subprocess.run(  # noqa: S603  # our own script
        [
            shutil.which("bash") or "bash",
            "-c",
            layout,
            REPO / "scripts" / "ha-config",
            tmp_path,
            "18123",
        ],
        check=True,
        timeout=30,
    )
    return tmp_path


def test_loads_what_the_readme_shows(ha_config_dir: Path) -> None:
    """Each feature the docs show is set up, and what the UI makes is loaded from its file."""
    config = load_yaml_dict(ha_config_dir / "configuration.yaml")

    assert set(config) >= SHOWN_IN_THE_README
    for domain, file in MADE_IN_THE_UI.items():
        # The included file exists (an include of a missing file stops Home Assistant's start)
        # and holds nothing yet.
        assert (ha_config_dir / file).is_file()
        assert not config[domain]
    assert (ha_config_dir / "custom_components" / "evnnovator" / "manifest.json").is_file()


def _manifest(domain: str) -> dict[str, object]:
    return json.loads((COMPONENTS / domain / "manifest.json").read_text(encoding="utf-8"))


def _set_up_with(domains: set[str]) -> set[str]:
    """`domains` and everything they depend on."""
    seen: set[str] = set()
    todo = list(domains)
    while todo:
        domain = todo.pop()
        if domain in seen or not (COMPONENTS / domain / "manifest.json").is_file():
            continue
        seen.add(domain)
        todo.extend(_manifest(domain).get("dependencies", []))  # type: ignore[arg-type]
    return seen


def test_runtime_requirements_cover_the_configuration(ha_config_dir: Path) -> None:
    """Every requirement of what Home Assistant sets up with this configuration is pinned."""
    config = load_yaml_dict(ha_config_dir / "configuration.yaml")
    domains = _set_up_with({*config, *bootstrap.DEFAULT_INTEGRATIONS})
    needed = {
        requirement.lower()
        for domain in domains
        for requirement in _manifest(domain).get("requirements", [])  # type: ignore[attr-defined]
    }
    pinned = {
        line.strip().lower()
        for line in RUNTIME_REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {"logbook", "energy", "recorder", "frontend"} <= domains
    assert any(requirement.startswith("sqlalchemy==") for requirement in needed)  # recorder's
    assert needed - pinned == set()
