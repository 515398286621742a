"""The repository's blueprints in Home Assistant: its configuration folder, and automations."""

from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint, BlueprintException
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
import pytest

BLUEPRINTS = Path(__file__).parent.parent / "blueprints"


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration folder holding the repository's blueprints, as after an import."""
    shutil.copytree(BLUEPRINTS, Path(hass_tmp_config_dir) / "blueprints", dirs_exist_ok=True)
    return hass_tmp_config_dir


async def load_blueprint(hass: HomeAssistant, path: str) -> Blueprint | BlueprintException | None:
    """The automation blueprint at `path`, as Home Assistant's blueprint machinery reads it."""
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {})
    return (await async_get_blueprints(hass).async_get_blueprints())[path]


async def automation_from_blueprint(
    hass: HomeAssistant, alias: str, path: str, inputs: dict[str, Any]
) -> None:
    """An automation named `alias`, made from the blueprint at `path` with `inputs`."""
    automation_id = slugify(alias)
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "id": automation_id,
                "alias": alias,
                "use_blueprint": {"path": path, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    # Set up and on: the blueprint and its inputs were valid.
    assert hass.states.get(f"automation.{automation_id}").state == "on"
