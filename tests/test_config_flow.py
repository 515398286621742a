"""The config, reauth, reconfigure and options flows, against the simulator over loopback."""

import contextlib
from datetime import timedelta
import logging
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, section
from homeassistant.helpers.translation import async_get_translations
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.api import DEFAULT_BASE_URL, EvnnovatorClient
from custom_components.evnnovator.config_flow import is_acceptable_base_url
from custom_components.evnnovator.const import (
    CONF_ADVANCED,
    CONF_AUTH_ID,
    CONF_AUTH_SCHEME,
    CONF_BASE_URL,
    CONF_CHARGING_INTERVAL,
    CONF_COST_LIMIT_WITH_TAX,
    CONF_IDLE_INTERVAL,
    CONF_TOKEN_UID,
    DOMAIN,
)
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_BLOCKED,
    DEMO_AUTH_ID_NEW,
    DEMO_TOKEN,
    Simulator,
)

WRONG_TOKEN = "wrong-token-123"
# A driver with upper-case letters in its id, and a session, added to the simulator per test.
MIXED_CASE_AUTH_ID = "Fleet-Driver-7"


# --- Helpers -------------------------------------------------------------------------------------


def user_input(
    base_url: str,
    *,
    auth_id: str = DEMO_AUTH_ID,
    token: str = DEMO_TOKEN,
    auth_scheme: str = "token",
) -> dict[str, Any]:
    """What the user step's form sends."""
    return {
        CONF_AUTH_ID: auth_id,
        CONF_TOKEN: token,
        CONF_ADVANCED: {CONF_BASE_URL: base_url, CONF_AUTH_SCHEME: auth_scheme},
    }


def suggested_values(schema: probatio.Schema) -> dict[str, Any]:
    """The values a form is prefilled with, a section's as a nested dict."""
    values: dict[str, Any] = {}
    for marker, field in schema.schema.items():
        if isinstance(field, section):
            if nested := suggested_values(field.schema):
                values[str(marker)] = nested
        elif marker.description and "suggested_value" in marker.description:
            values[str(marker)] = marker.description["suggested_value"]
    return values


def defaults(schema: probatio.Schema) -> dict[str, Any]:
    """The defaults of a form's fields (None where a field has none), a section's nested."""
    values: dict[str, Any] = {}
    for marker, field in schema.schema.items():
        if isinstance(field, section):
            values[str(marker)] = defaults(field.schema)
        else:
            default = getattr(marker, "default", None)
            values[str(marker)] = default() if callable(default) else None
    return values


def markers(schema: probatio.Schema) -> dict[str, type]:
    """Each field of a form and whether it is Required or Optional."""
    return {str(marker): type(marker) for marker in schema.schema}


def latest_requests(simulator: Simulator) -> list[Any]:
    """The requests for a latest session the simulator received."""
    return [request for request in simulator.requests if request.path.endswith("/latest")]


def add_entry(hass: HomeAssistant, entry: MockConfigEntry, **data: str) -> MockConfigEntry:
    """Add the entry to Home Assistant, not set up, with some of its data changed."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, **data})
    return entry


@pytest.fixture
def closed_port_url(simulator: Simulator) -> str:
    """A base URL on loopback where nothing listens (the simulator fixture enables sockets)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/ocpi/api/v1"


async def start_user_flow(hass: HomeAssistant) -> FlowResult:
    """Open the user step's form."""
    return await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})


# --- is_acceptable_base_url ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "acceptable"),
    [
        (DEFAULT_BASE_URL, True),
        ("https://example.com/api", True),
        ("https://203.0.113.7:8443/api/ocpi/api/v1", True),
        ("  https://example.com/api  ", True),
        ("http://127.0.0.1:8123/api/ocpi/api/v1", True),
        ("http://localhost/api/ocpi/api/v1", True),
        ("http://LOCALHOST:8080", True),
        ("http://192.168.1.10/api", True),
        ("http://10.0.0.2:8080/api", True),
        ("http://[::1]:8080/api", True),
        ("http://example.com/api/ocpi/api/v1", False),
        ("http://8.8.8.8/api", False),
        ("http://localhost.example.com/api", False),
        ("ftp://127.0.0.1/api", False),
        ("ftp://example.com/api", False),
        ("not a url", False),
        ("api-gateway-evnnovator.com/api/ocpi/api/v1", False),
        ("https://", False),
        ("http://", False),
        ("http://[::1", False),
        ("https://user:secret@example.com/api", False),
        ("https://example.com/api?version=1", False),
        ("https://example.com/api#v1", False),
        ("", False),
    ],
)
def test_is_acceptable_base_url(url: str, acceptable: bool) -> None:
    """Only https, or plain http to a loopback or private address, may carry the token."""
    assert is_acceptable_base_url(url) is acceptable


# --- User step -----------------------------------------------------------------------------------


async def test_user_form(hass: HomeAssistant) -> None:
    """The form asks for the driver id and token, and keeps the gateway in a collapsed section."""
    result = await start_user_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    # The base URL's example, outside the translated text (hassfest allows no URL in it).
    assert result["description_placeholders"] == {"default_base_url": DEFAULT_BASE_URL}
    schema = result["data_schema"]
    assert markers(schema) == {
        CONF_AUTH_ID: probatio.Required,
        CONF_TOKEN: probatio.Required,
        CONF_ADVANCED: probatio.Required,
    }
    assert defaults(schema) == {
        CONF_AUTH_ID: "",
        CONF_TOKEN: None,
        CONF_ADVANCED: {CONF_BASE_URL: DEFAULT_BASE_URL, CONF_AUTH_SCHEME: "bearer"},
    }
    advanced = schema.schema[CONF_ADVANCED]
    assert advanced.options["collapsed"] is True
    assert advanced.schema.schema[CONF_AUTH_SCHEME].config["options"] == ["token", "bearer"]
    assert schema.schema[CONF_TOKEN].config["type"] == "password"
    assert suggested_values(schema) == {}
    # The base URL's help names the default through a placeholder (no URL in translations).
    assert result["description_placeholders"] == {"default_base_url": DEFAULT_BASE_URL}


@pytest.mark.parametrize("auth_scheme", ["token", "bearer"])
async def test_user_creates_entry(
    hass: HomeAssistant, simulator: Simulator, auth_scheme: str
) -> None:
    """Working credentials create the entry, stripped, keyed by driver and host; both schemes."""
    simulator.add_driver(MIXED_CASE_AUTH_ID, token_uid="fLeEtDrIvEr7uid0")
    simulator.start_session(MIXED_CASE_AUTH_ID)
    result = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            f" {simulator.base_url}\t",
            auth_id=f"  {MIXED_CASE_AUTH_ID} ",
            token=f" {DEMO_TOKEN}  ",
            auth_scheme=auth_scheme,
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == MIXED_CASE_AUTH_ID
    assert result["data"] == {
        CONF_AUTH_ID: MIXED_CASE_AUTH_ID,
        CONF_TOKEN: DEMO_TOKEN,
        CONF_BASE_URL: simulator.base_url,
        CONF_AUTH_SCHEME: auth_scheme,
    }
    assert result["options"] == {}
    entry = result["result"]
    assert entry.unique_id == "fleet-driver-7@127.0.0.1"
    assert entry.state is ConfigEntryState.LOADED
    checked = simulator.requests[0]
    assert checked.method == "GET"
    assert checked.path.endswith(f"/sessions/{MIXED_CASE_AUTH_ID}/latest")
    assert checked.auth_scheme == auth_scheme
    assert checked.authorized


@pytest.mark.parametrize(
    ("auth_id", "token", "base_url", "fault", "errors"),
    [
        pytest.param(
            DEMO_AUTH_ID, WRONG_TOKEN, "{sim}", None, {"base": "invalid_auth"}, id="wrong_token"
        ),
        pytest.param(
            DEMO_AUTH_ID_BLOCKED,
            DEMO_TOKEN,
            "{sim}",
            None,
            {"base": "not_whitelisted"},
            id="blocked_driver",
        ),
        *(
            pytest.param(DEMO_AUTH_ID, DEMO_TOKEN, "{sim}", fault, {"base": error}, id=fault)
            for fault, error in [
                ("http_500", "server_error"),
                ("http_502_html", "server_error"),
                ("timeout", "cannot_connect"),
                ("http_429", "rate_limited"),
                ("bad_json", "invalid_response"),
                ("status_2001", "invalid_response"),
                ("wrong_types", "invalid_response"),
                ("oversized", "invalid_response"),
                ("http_404_page", "invalid_response"),
                ("echo_token", "invalid_response"),
            ]
        ),
        pytest.param(
            DEMO_AUTH_ID, DEMO_TOKEN, "{closed}", None, {"base": "cannot_connect"}, id="closed_port"
        ),
        # The other prefix the documentation shows, on a gateway that serves the first: its
        # web server's 404 page is no "no session yet".
        pytest.param(
            DEMO_AUTH_ID,
            DEMO_TOKEN,
            "{origin}/api/v1",
            None,
            {"base": "invalid_response"},
            id="other_documented_prefix",
        ),
        *(
            # The base URL is inside the collapsed "advanced" section, whose fields' errors the
            # frontend does not show: the error is the form's own.
            pytest.param(DEMO_AUTH_ID, DEMO_TOKEN, url, None, {"base": "invalid_base_url"}, id=name)
            for name, url in [
                ("not_a_url", "not a url"),
                ("ftp", "ftp://127.0.0.1/api/ocpi/api/v1"),
                ("plain_http_to_public_host", "http://example.com/api/ocpi/api/v1"),
            ]
        ),
    ],
)
async def test_user_error_then_retry(
    hass: HomeAssistant,
    *,
    simulator: Simulator,
    closed_port_url: str,
    auth_id: str,
    token: str,
    base_url: str,
    fault: str | None,
    errors: dict[str, str],
) -> None:
    """Each failure shows its error on the form, which keeps all but the token; a retry works."""
    typed = user_input(
        base_url.format(
            sim=simulator.base_url,
            closed=closed_port_url,
            origin=simulator.base_url.removesuffix(simulator.settings.prefix),
        ),
        auth_id=auth_id,
        token=token,
        auth_scheme="bearer",
    )
    if fault is not None:
        simulator.inject(fault)
    result = await start_user_flow(hass)

    # Only the failing attempt waits out a (short) timeout; the retry has the normal one.
    short_timeout = patch("custom_components.evnnovator.const.REQUEST_TIMEOUT", 0.3)
    with short_timeout if fault == "timeout" else contextlib.nullcontext():
        result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    assert suggested_values(result["data_schema"]) == {
        CONF_AUTH_ID: typed[CONF_AUTH_ID],
        CONF_ADVANCED: typed[CONF_ADVANCED],
    }
    if fault is not None:
        assert [request.fault for request in simulator.requests] == [fault]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url)
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_AUTH_ID: DEMO_AUTH_ID,
        CONF_TOKEN: DEMO_TOKEN,
        CONF_BASE_URL: simulator.base_url,
        CONF_AUTH_SCHEME: "token",
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        pytest.param(
            {"base_url": "http://example.com/api/ocpi/api/v1"},
            {"base": "invalid_base_url"},
            id="plain_http_to_public_host",
        ),
        pytest.param({"auth_id": "   "}, {"base": "invalid_auth"}, id="blank_auth_id"),
        pytest.param({"token": " \t "}, {"base": "invalid_auth"}, id="blank_token"),
    ],
)
async def test_user_refused_input_sends_nothing(
    hass: HomeAssistant, simulator: Simulator, changes: dict[str, str], errors: dict[str, str]
) -> None:
    """Input the flow or the client refuses shows an error and never reaches the API."""
    result = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(**{"base_url": simulator.base_url, **changes})
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert simulator.requests == []


async def test_user_unexpected_error_is_logged(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An error the client does not know shows `unknown` and logs its traceback; a retry works."""
    result = await start_user_flow(hass)

    with patch.object(
        EvnnovatorClient, "get_latest_session", side_effect=RuntimeError("something broke")
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator.base_url)
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "custom_components.evnnovator"
    assert record.getMessage() == "Unexpected error while checking the EVnnovator credentials"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url)
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_driver_without_session_confirms(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A driver the API has no session for (404) is added once the user confirms."""
    result = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url, auth_id=DEMO_AUTH_ID_NEW)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "no_session"
    assert result["description_placeholders"] == {"auth_id": DEMO_AUTH_ID_NEW}
    assert [request.status for request in simulator.requests] == [404]

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == DEMO_AUTH_ID_NEW
    assert result["data"] == {
        CONF_AUTH_ID: DEMO_AUTH_ID_NEW,
        CONF_TOKEN: DEMO_TOKEN,
        CONF_BASE_URL: simulator.base_url,
        CONF_AUTH_SCHEME: "token",
    }
    assert result["result"].unique_id == f"{DEMO_AUTH_ID_NEW}@127.0.0.1"
    assert result["result"].state is ConfigEntryState.LOADED


async def test_user_already_configured(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """The same driver on the same host, in another case, aborts without asking the API."""
    config_entry.add_to_hass(hass)
    result = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url, auth_id=DEMO_AUTH_ID.upper())
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize(
    ("auth_id", "token"),
    [
        pytest.param(DEMO_AUTH_ID, WRONG_TOKEN, id="left_at_a_credentials_error"),
        pytest.param(DEMO_AUTH_ID_NEW, DEMO_TOKEN, id="left_at_the_no_session_question"),
    ],
)
async def test_user_abandoned_flow_blocks_nothing(
    hass: HomeAssistant, simulator: Simulator, auth_id: str, token: str
) -> None:
    """A flow left open, before or after its credentials were checked, lets another add the driver.

    Afterwards the first one adds no second entry: Home Assistant ends it with the other's
    success where it had claimed the id, or it stops at the id's entry when sent again.
    """
    abandoned = await start_user_flow(hass)
    abandoned = await hass.config_entries.flow.async_configure(
        abandoned["flow_id"], user_input(simulator.base_url, auth_id=auth_id, token=token)
    )
    assert abandoned["type"] is FlowResultType.FORM

    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url, auth_id=auth_id)
    )
    if result["type"] is FlowResultType.FORM:
        assert result["step_id"] == "no_session"
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"{auth_id}@127.0.0.1"
    in_progress = [flow["flow_id"] for flow in hass.config_entries.flow.async_progress()]
    if abandoned["step_id"] == "no_session":
        assert abandoned["flow_id"] not in in_progress
    else:
        assert in_progress == [abandoned["flow_id"]]
        abandoned = await hass.config_entries.flow.async_configure(
            abandoned["flow_id"], user_input(simulator.base_url, auth_id=auth_id)
        )
        assert abandoned["type"] is FlowResultType.ABORT
        assert abandoned["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# --- Reauth --------------------------------------------------------------------------------------


async def test_reauth_form(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """Reauth asks for the token alone and names the driver."""
    entry = add_entry(hass, config_entry, token=WRONG_TOKEN)

    result = await entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["auth_id"] == DEMO_AUTH_ID
    assert markers(result["data_schema"]) == {CONF_TOKEN: probatio.Required}
    assert suggested_values(result["data_schema"]) == {}


@pytest.mark.parametrize(
    ("token", "fault", "error"),
    [
        # The form has the token alone: its error names no other field.
        pytest.param(WRONG_TOKEN, None, "invalid_token", id="invalid_token"),
        pytest.param("   ", None, "invalid_token", id="blank_token"),
        pytest.param(DEMO_TOKEN, "http_500", "server_error", id="server_error"),
    ],
)
async def test_reauth_error_then_new_token(
    hass: HomeAssistant,
    *,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    token: str,
    fault: str | None,
    error: str,
) -> None:
    """A token that fails keeps the form with its error; one that works is saved and loads."""
    entry = add_entry(hass, config_entry, token=WRONG_TOKEN)
    expected = {**entry.data, CONF_TOKEN: DEMO_TOKEN}
    result = await entry.start_reauth_flow(hass)
    if fault is not None:
        simulator.inject(fault)

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_TOKEN: token})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": error}
    assert entry.data[CONF_TOKEN] == WRONG_TOKEN

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: f"  {DEMO_TOKEN} "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == expected
    assert entry.state is ConfigEntryState.LOADED


# --- Reconfigure ---------------------------------------------------------------------------------


async def test_reconfigure_form_prefilled(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """Reconfigure shows the entry's base URL and scheme, and an optional empty token."""
    entry = add_entry(hass, config_entry, auth_scheme="bearer")

    result = await entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"auth_id": DEMO_AUTH_ID}
    schema = result["data_schema"]
    assert markers(schema) == {
        CONF_TOKEN: probatio.Optional,
        CONF_BASE_URL: probatio.Required,
        CONF_AUTH_SCHEME: probatio.Required,
    }
    assert defaults(schema) == {
        CONF_TOKEN: None,
        CONF_BASE_URL: simulator.base_url,
        CONF_AUTH_SCHEME: "bearer",
    }


@pytest.mark.parametrize(
    ("stored_token", "typed", "auth_scheme"),
    [
        pytest.param(DEMO_TOKEN, {}, "token", id="no_token_keeps_it"),
        pytest.param(DEMO_TOKEN, {CONF_TOKEN: ""}, "token", id="empty_token_keeps_it"),
        pytest.param(DEMO_TOKEN, {CONF_TOKEN: "   "}, "token", id="blank_token_keeps_it"),
        pytest.param(WRONG_TOKEN, {CONF_TOKEN: f" {DEMO_TOKEN} "}, "token", id="new_token"),
        pytest.param(DEMO_TOKEN, {CONF_TOKEN: ""}, "bearer", id="bearer"),
    ],
)
async def test_reconfigure_saves_and_loads(
    hass: HomeAssistant,
    *,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    stored_token: str,
    typed: dict[str, str],
    auth_scheme: str,
) -> None:
    """Reconfigure checks and saves the new connection, keeping the token if none is typed."""
    entry = add_entry(hass, config_entry, token=stored_token)
    result = await entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**typed, CONF_BASE_URL: f" {simulator.base_url} ", CONF_AUTH_SCHEME: auth_scheme},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        CONF_AUTH_ID: DEMO_AUTH_ID,
        CONF_TOKEN: DEMO_TOKEN,
        CONF_BASE_URL: simulator.base_url,
        CONF_AUTH_SCHEME: auth_scheme,
    }
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator.client.auth_scheme == auth_scheme
    assert {(r.auth_scheme, r.authorized) for r in latest_requests(simulator)} == {
        (auth_scheme, True)
    }


async def test_reconfigure_reloads_loaded_entry(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A loaded entry is reloaded with the new connection, which it then uses to poll."""
    old_coordinator = init_integration.runtime_data.coordinator
    result = await init_integration.start_reconfigure_flow(hass)
    simulator.clear_requests()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BASE_URL: simulator.base_url, CONF_AUTH_SCHEME: "bearer"}
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator is not old_coordinator
    # One request checks the connection, the next one is the reloaded entry's first refresh.
    assert [r.auth_scheme for r in latest_requests(simulator)] == ["bearer", "bearer"]


async def test_reconfigure_other_host_is_wrong_account(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """A base URL on another host is another account: abort, unchanged, nothing sent."""
    entry = add_entry(hass, config_entry)
    before = dict(entry.data)
    other_host = simulator.base_url.replace("127.0.0.1", "localhost")
    result = await entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BASE_URL: other_host, CONF_AUTH_SCHEME: "token"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data == before
    assert simulator.requests == []


@pytest.mark.parametrize(
    ("typed", "fault", "errors"),
    [
        pytest.param(
            {CONF_BASE_URL: "http://example.com/api/ocpi/api/v1"},
            None,
            {CONF_BASE_URL: "invalid_base_url"},
            id="invalid_base_url",
        ),
        pytest.param({CONF_TOKEN: WRONG_TOKEN}, None, {"base": "invalid_auth"}, id="invalid_auth"),
        pytest.param({}, "http_502_html", {"base": "server_error"}, id="server_error"),
    ],
)
async def test_reconfigure_error_then_retry(
    hass: HomeAssistant,
    *,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    typed: dict[str, str],
    fault: str | None,
    errors: dict[str, str],
) -> None:
    """A failing connection re-shows the form with its error and saves nothing; a retry works."""
    entry = add_entry(hass, config_entry)
    before = dict(entry.data)
    good = {CONF_BASE_URL: simulator.base_url, CONF_AUTH_SCHEME: "bearer"}
    result = await entry.start_reconfigure_flow(hass)
    if fault is not None:
        simulator.inject(fault)

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {**good, **typed})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == errors
    assert entry.data == before
    # The form shows again what was typed, so a typo can be fixed, but never the token.
    shown = suggested_values(result["data_schema"])
    assert shown == {key: value for key, value in {**good, **typed}.items() if key != CONF_TOKEN}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {**before, CONF_AUTH_SCHEME: "bearer"}


# --- Options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        pytest.param({}, {CONF_CHARGING_INTERVAL: 30, CONF_IDLE_INTERVAL: 300}, id="defaults"),
        pytest.param(
            {CONF_CHARGING_INTERVAL: 20, CONF_IDLE_INTERVAL: 120},
            {CONF_CHARGING_INTERVAL: 20, CONF_IDLE_INTERVAL: 120},
            id="saved",
        ),
        pytest.param(
            {
                CONF_CHARGING_INTERVAL: 20,
                CONF_IDLE_INTERVAL: 120,
                CONF_TOKEN_UID: "aGyJYcVTJDYXykvp",
            },
            {
                CONF_CHARGING_INTERVAL: 20,
                CONF_IDLE_INTERVAL: 120,
                CONF_TOKEN_UID: "aGyJYcVTJDYXykvp",
            },
            id="saved_with_token_uid",
        ),
    ],
)
async def test_options_form(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    options: dict[str, Any],
    shown: dict[str, Any],
) -> None:
    """The options form shows the saved options, or the defaults of 30 s, 300 s and no token."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=options)

    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    assert suggested_values(result["data_schema"]) == shown


@pytest.mark.parametrize(
    ("charging", "idle"),
    [pytest.param(20.0, 120.0, id="charging_faster"), pytest.param(60.0, 60.0, id="equal")],
)
async def test_options_saved_and_applied(
    hass: HomeAssistant, init_integration: MockConfigEntry, charging: float, idle: float
) -> None:
    """Valid intervals are saved as whole seconds; the reloaded entry polls at the new pace."""
    old_coordinator = init_integration.runtime_data.coordinator
    assert old_coordinator.update_interval == timedelta(seconds=30)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CHARGING_INTERVAL: charging, CONF_IDLE_INTERVAL: idle}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_CHARGING_INTERVAL: int(charging),
        CONF_IDLE_INTERVAL: int(idle),
    }
    assert all(type(value) is int for value in init_integration.options.values())
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator is not old_coordinator
    # The demo driver is charging, so the reloaded coordinator polls at the charging pace.
    assert coordinator.update_interval == timedelta(seconds=charging)
    assert init_integration.runtime_data.idle_interval == timedelta(seconds=idle)


async def test_options_charging_slower_than_idle(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Polling less often while charging than while idle is refused, the typed values kept."""
    typed = {CONF_CHARGING_INTERVAL: 200.0, CONF_IDLE_INTERVAL: 100.0}
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    result = await hass.config_entries.options.async_configure(result["flow_id"], typed)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CHARGING_INTERVAL: "charging_slower_than_idle"}
    assert suggested_values(result["data_schema"]) == typed
    assert init_integration.options == {}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CHARGING_INTERVAL: 100.0, CONF_IDLE_INTERVAL: 200.0}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_CHARGING_INTERVAL: 100, CONF_IDLE_INTERVAL: 200}


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        pytest.param(
            {CONF_CHARGING_INTERVAL: 5.0, CONF_IDLE_INTERVAL: 300.0},
            {CONF_CHARGING_INTERVAL: "charging_interval_out_of_range"},
            id="charging_too_short",
        ),
        pytest.param(
            {CONF_CHARGING_INTERVAL: 30.0, CONF_IDLE_INTERVAL: 7200.0},
            {CONF_IDLE_INTERVAL: "idle_interval_out_of_range"},
            id="idle_too_long",
        ),
        pytest.param(
            {CONF_CHARGING_INTERVAL: 301.0, CONF_IDLE_INTERVAL: 59.0},
            {
                CONF_CHARGING_INTERVAL: "charging_interval_out_of_range",
                CONF_IDLE_INTERVAL: "idle_interval_out_of_range",
            },
            id="both",
        ),
    ],
)
async def test_options_out_of_range_says_the_range(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    typed: dict[str, float],
    errors: dict[str, str],
) -> None:
    """An interval out of its range gets an error whose text names the field and states the range;
    nothing is saved."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    result = await hass.config_entries.options.async_configure(result["flow_id"], typed)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert suggested_values(result["data_schema"]) == typed
    assert init_integration.options == {}
    placeholders = result["description_placeholders"]
    translations = await async_get_translations(hass, "en", "options", [DOMAIN])
    for field, error in errors.items():
        message = translations[f"component.{DOMAIN}.options.error.{error}"].format(**placeholders)
        name, low, high = {
            CONF_CHARGING_INTERVAL: ("While charging", 10, 300),
            CONF_IDLE_INTERVAL: ("While idle", 60, 3600),
        }[field]
        assert message == f"{name}: enter {low} to {high} seconds."


async def test_options_titled_with_the_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The dialog says what it sets and for which driver, not just "Options"."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    translations = await async_get_translations(hass, "en", "options", [DOMAIN])

    title = translations[f"component.{DOMAIN}.options.step.init.title"]
    assert title.format(**result["description_placeholders"]) == (
        f"Polling and charging token of {DEMO_AUTH_ID}"
    )
    help_text = translations[f"component.{DOMAIN}.options.step.init.data_description.token_uid"]
    # The demo's uid is no example for a real driver's token.
    assert "aGyJYcVTJDYXykvp" not in help_text


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        pytest.param(" aGyJYcVTJDYXykvp ", {CONF_TOKEN_UID: "aGyJYcVTJDYXykvp"}, id="stripped"),
        pytest.param("  ", {}, id="blank_removes"),
        pytest.param(None, {}, id="absent_removes"),
    ],
)
async def test_options_token_uid(
    hass: HomeAssistant, init_integration: MockConfigEntry, typed: str | None, saved: dict[str, str]
) -> None:
    """The charging token is optional text: saved stripped, removed when emptied."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: "an-older-token-uid"}
    )
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    intervals = {CONF_CHARGING_INTERVAL: 30.0, CONF_IDLE_INTERVAL: 300.0}
    token = {} if typed is None else {CONF_TOKEN_UID: typed}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**intervals, **token}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_CHARGING_INTERVAL: 30,
        CONF_IDLE_INTERVAL: 300,
        **saved,
    }


async def test_options_error_keeps_a_cleared_token_uid_cleared(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """After an error the form shows what was typed: a token just cleared stays cleared."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: "an-older-token-uid"}
    )
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert suggested_values(result["data_schema"])[CONF_TOKEN_UID] == "an-older-token-uid"
    typed = {CONF_CHARGING_INTERVAL: 200.0, CONF_IDLE_INTERVAL: 100.0}

    result = await hass.config_entries.options.async_configure(result["flow_id"], typed)

    assert result["errors"] == {CONF_CHARGING_INTERVAL: "charging_slower_than_idle"}
    assert suggested_values(result["data_schema"]) == typed


@pytest.mark.parametrize(
    ("ticked", "saved"),
    [
        pytest.param(True, {CONF_COST_LIMIT_WITH_TAX: True}, id="on"),
        pytest.param(False, {}, id="off_removes"),
        pytest.param(None, {}, id="absent_removes"),
    ],
)
async def test_options_cost_limit_with_tax(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ticked: bool | None,
    saved: dict[str, bool],
) -> None:
    """Off by default (before tax, as before the option); kept only when on; shown as saved."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert CONF_COST_LIMIT_WITH_TAX in result["data_schema"].schema
    assert CONF_COST_LIMIT_WITH_TAX not in suggested_values(result["data_schema"])
    intervals = {CONF_CHARGING_INTERVAL: 30.0, CONF_IDLE_INTERVAL: 300.0}
    option = {} if ticked is None else {CONF_COST_LIMIT_WITH_TAX: ticked}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**intervals, **option}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_CHARGING_INTERVAL: 30,
        CONF_IDLE_INTERVAL: 300,
        **saved,
    }
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert suggested_values(result["data_schema"]).get(CONF_COST_LIMIT_WITH_TAX) == (
        True if ticked else None
    )
