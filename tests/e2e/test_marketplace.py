"""Home Assistant's Marketplace (2026.11 and later) installs a release of this repository.

The Marketplace's own code does the install, as its install button does: it reads hacs.json with its
schema, refuses a release that needs a newer Home Assistant, resolves the integration in the
release's archive, reads its manifest.json, writes it to custom_components/ and refuses a manifest
the loader would not load. The release is served from a loopback server through a download profile
(the Marketplace's way to use a mirror of GitHub), built from this worktree's files, or from a
modified copy of them to show each refusal.
"""

from collections.abc import AsyncIterator, Callable
import io
import json
from pathlib import Path
import sys
from types import MappingProxyType
from typing import Any
import zipfile

from aiohttp import web
import pytest

from .conftest import REPO

pytest.importorskip(
    "homeassistant.components.marketplace",
    reason="Home Assistant's Marketplace is a core integration from 2026.11 on",
)

# After the skip: these exist from 2026.11 on only.
from awesomeversion import AwesomeVersion
from homeassistant import bootstrap, config_entries, const as ha_const, loader
from homeassistant.components.lovelace import LOVELACE_DATA, LovelaceData
from homeassistant.components.marketplace.base import MarketplaceManager
from homeassistant.components.marketplace.exceptions import MarketplaceError
from homeassistant.components.marketplace.profiles import (
    PROFILES,
    DownloadProfile,
)
from homeassistant.components.marketplace.repositories.base import (
    RepositoryManifest,
)
from homeassistant.components.marketplace.repositories.integration import (
    IntegrationRepository,
)
from homeassistant.components.marketplace.utils.validate import (
    REPOSITORY_MANIFEST_VALUES,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

REPOSITORY = "evnnovator-ha/evnnovator-home-assistant"
INTEGRATION = REPO / "custom_components" / "evnnovator"
HACS_JSON = REPO / "hacs.json"
# Read by HACS, which renders the README in its download dialog; the Marketplace ignores it.
HACS_ONLY_KEYS = {"render_readme"}
GENERATED = Path(loader.__file__).parent / "generated"
PROFILE_ID = "release_under_test"
# The tag of the release: our version, as a release is tagged.
TAG = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))["version"]

type Release = dict[str, bytes]


def our_release() -> Release:
    """The files of a release of this repository, by path: hacs.json and the integration."""
    files = {"hacs.json": HACS_JSON.read_bytes()}
    for path in sorted(INTEGRATION.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    return files


def edited_json(release: Release, path: str, edit: Callable[[dict[str, Any]], None]) -> Release:
    """A copy of the release whose JSON file at `path` is changed by `edit`."""
    content = json.loads(release[path])
    edit(content)
    return {**release, path: json.dumps(content).encode()}


def archive(release: Release, tag: str) -> bytes:
    """The release as GitHub zips a tag: everything below one folder named after it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path, content in release.items():
            zipped.writestr(f"evnnovator-home-assistant-{tag}/{path}", content)
    return buffer.getvalue()


class ReleaseServer:
    """Serves one tag of the repository at the paths GitHub's hosts use."""

    def __init__(self) -> None:
        """Serve nothing yet."""
        self.tag = ""
        self.release: Release = {}

    def publish(self, release: Release, tag: str) -> None:
        """Make `release` the content of `tag`."""
        self.release, self.tag = release, tag

    async def raw_file(self, request: web.Request) -> web.Response:
        """A file of the tag, as raw.githubusercontent.com serves it."""
        info = request.match_info
        content = self.release.get(info["path"])
        if info["repository"] != REPOSITORY or info["ref"] != self.tag or content is None:
            raise web.HTTPNotFound
        return web.Response(body=content)

    async def tag_archive(self, request: web.Request) -> web.Response:
        """The zip of the tag, as github.com serves it."""
        info = request.match_info
        if info["repository"] != REPOSITORY or info["tag"] != self.tag:
            raise web.HTTPNotFound
        return web.Response(body=archive(self.release, self.tag))


@pytest.fixture
async def server() -> AsyncIterator[tuple[ReleaseServer, str]]:
    """The release server on a free loopback port, and its address."""
    releases = ReleaseServer()
    app = web.Application()
    app.router.add_get("/raw/{repository:[^/]+/[^/]+}/{ref}/{path:.+}", releases.raw_file)
    app.router.add_get(
        "/github/{repository:[^/]+/[^/]+}/archive/refs/tags/{tag}.zip", releases.tag_archive
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield releases, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant's loader finds custom_components in the configuration folder only (not in
    this worktree), which it mounts on sys.path: undone after."""
    monkeypatch.setattr(
        sys, "path", [entry for entry in sys.path if Path(entry or ".").resolve() != REPO]
    )
    monkeypatch.delitem(sys.modules, "custom_components", raising=False)


@pytest.fixture
async def hass(tmp_path: Path, isolated_imports: None) -> AsyncIterator[HomeAssistant]:
    """A Home Assistant with its registries and storage, and nothing set up."""
    config = tmp_path / "config"
    config.mkdir()
    hass = HomeAssistant(str(config))
    loader.async_setup(hass)
    hass.config_entries = config_entries.ConfigEntries(hass, {})
    assert await bootstrap.async_load_base_functionality(hass)
    # Home Assistant's HTTP client resolves names through the network's adapters.
    assert await async_setup_component(hass, "network", {})
    # The Marketplace reads only the dashboards' resource mode (where cards go), and an integration
    # installs no card; setting up the dashboards would need the web server and onboarding.
    hass.data[LOVELACE_DATA] = LovelaceData(
        resource_mode="storage", dashboards={}, resources=None, yaml_dashboards={}
    )
    try:
        yield hass
    finally:
        await hass.async_stop(force=True)


@pytest.fixture
async def install(
    hass: HomeAssistant, server: tuple[ReleaseServer, str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[Release], Any]:
    """Install a release the way the Marketplace's install button does; returns the repository."""
    releases, origin = server
    # Every download goes to the release server; no request may reach GitHub's API.
    monkeypatch.setitem(
        PROFILES,
        PROFILE_ID,
        DownloadProfile(
            id=PROFILE_ID,
            operator="the test's release server",
            api=f"{origin}/api",
            github=f"{origin}/github",
            raw=f"{origin}/raw",
            catalog=f"{origin}/catalog",
        ),
    )
    entry = config_entries.ConfigEntry(
        domain="marketplace",
        title="Marketplace",
        data={},
        options={"profile": PROFILE_ID},
        source=config_entries.SOURCE_USER,
        version=1,
        minor_version=1,
        unique_id=None,
        discovery_keys=MappingProxyType({}),
        subentries_data=None,
    )
    marketplace = MarketplaceManager(hass, entry)

    async def installed(release: Release) -> IntegrationRepository:
        releases.publish(release, TAG)
        repository = IntegrationRepository(marketplace, REPOSITORY)
        # As the catalog lists a repository with releases: its id, its domain, its newest tag.
        repository.data.id = "1"
        repository.data.domain = "evnnovator"
        repository.data.last_version = TAG
        marketplace.repositories.register(repository, default=True)
        await repository.async_install_repository()
        return repository

    return installed


def installed_folder(hass: HomeAssistant) -> Path:
    """Where the Marketplace writes the integration."""
    return Path(hass.config.path("custom_components", "evnnovator"))


async def test_the_marketplace_installs_our_release(
    hass: HomeAssistant, install: Callable[[Release], Any]
) -> None:
    """Our hacs.json and manifest.json pass every check, and the integration lands whole."""
    release = our_release()
    repository = await install(release)

    assert repository.data.installed
    assert repository.data.installed_version == TAG
    assert repository.display_name == "EVnnovator"
    assert repository.validate.errors == []
    folder = installed_folder(hass)
    written = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    prefix = "custom_components/evnnovator/"
    assert written == {
        path.removeprefix(prefix): content
        for path, content in release.items()
        if path.startswith(prefix)
    }
    # Home Assistant's loader now finds it there, with the keys 2026.11 added to the manifest.
    integration = await loader.async_get_integration(hass, "evnnovator")
    assert Path(integration.file_path) == folder
    assert integration.version == AwesomeVersion(TAG)
    assert integration.categories == ["energy.ev_charging"]
    assert integration.connectivity == ["cloud"]


def test_the_marketplace_reads_every_key_of_our_hacs_json() -> None:
    """Each key is one the Marketplace reads with a valid value (it drops invalid ones with only a
    warning), or one that only HACS reads."""
    hacs = json.loads(HACS_JSON.read_text(encoding="utf-8"))
    read = {key: value for key, value in hacs.items() if key in REPOSITORY_MANIFEST_VALUES}
    assert set(hacs) - set(read) == HACS_ONLY_KEYS
    parsed = RepositoryManifest.from_dict(hacs)
    assert {key: getattr(parsed, key) for key in read} == read


def test_manifest_categories_and_connectivity_are_known() -> None:
    """The manifest's category and connectivity are among those Home Assistant lists."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    categories = json.loads((GENERATED / "integration_categories.json").read_text())
    connectivity = json.loads((GENERATED / "integration_connectivity.json").read_text())
    known_categories = {
        f"{category['slug']}.{subcategory['slug']}"
        for category in categories
        for subcategory in category.get("subcategories", [])
    }
    assert manifest["categories"] == ["energy.ev_charging"]
    assert set(manifest["categories"]) <= known_categories
    assert set(manifest["connectivity"]) <= {kind["slug"] for kind in connectivity}


def newer_than_running() -> str:
    """The Home Assistant release after the one running."""
    running = AwesomeVersion(ha_const.__version__)
    return f"{running.major}.{int(running.minor or 0) + 1}.0"


@pytest.mark.parametrize(
    ("path", "edit", "reason"),
    [
        pytest.param(
            "hacs.json",
            lambda hacs: hacs.update(homeassistant=newer_than_running()),
            "requires_newer_home_assistant",
            id="hacs.json needs a newer Home Assistant",
        ),
        pytest.param(
            "custom_components/evnnovator/manifest.json",
            lambda manifest: manifest.pop("version"),
            "installed_manifest_without_version",
            id="manifest.json without a version",
        ),
        pytest.param(
            "custom_components/evnnovator/manifest.json",
            lambda manifest: manifest.update(version="first"),
            "installed_manifest_without_version",
            id="manifest.json with a version that is none",
        ),
    ],
)
async def test_the_marketplace_refuses_a_broken_copy(
    hass: HomeAssistant,
    install: Callable[[Release], Any],
    path: str,
    edit: Callable[[dict[str, Any]], None],
    reason: str,
) -> None:
    """The same checks refuse a copy of our files with one fault, and leave nothing installed."""
    with pytest.raises(MarketplaceError) as refused:
        await install(edited_json(our_release(), path, edit))

    assert refused.value.translation_key == reason
    assert not installed_folder(hass).exists()
