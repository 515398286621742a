"""What a person needs to point the integration at a running simulator."""

import sys
from typing import TextIO

from .demo import DEMO_AUTH_ID, DEMO_AUTH_ID_BLOCKED, DEMO_AUTH_ID_NEW, DEMO_TOKEN_UID
from .gateway import CONTROL_PREFIX
from .settings import SimulatorSettings
from .site import DEMO_EVSE_UID, DEMO_LOCATION_ID


def demo_credentials(base_url: str, settings: SimulatorSettings) -> str:
    """Return the lines describing how to reach the simulator and which demo ids to use."""
    origin = base_url.removesuffix(settings.prefix)
    lines = [
        "EVnnovator simulator",
        f"  base URL:     {base_url}",
        f"  token:        {settings.token}",
        "  auth scheme:  Token (header 'Authorization: Token <token>'; 'Bearer' also accepted)",
    ]
    if settings.demo_world:
        lines += [
            f"  auth_id:      {DEMO_AUTH_ID} (whitelisted, charging)",
            f"  auth_id:      {DEMO_AUTH_ID_NEW} (whitelisted, no session yet: 404)",
            f"  auth_id:      {DEMO_AUTH_ID_BLOCKED} (not whitelisted: 403)",
            f"  token_uid:    {DEMO_TOKEN_UID} (of {DEMO_AUTH_ID})",
        ]
    else:
        lines.append("  auth_id:      none (demo drivers are off)")
    lines += [
        f"  location_id:  {DEMO_LOCATION_ID}",
        f"  evse_uid:     {DEMO_EVSE_UID}",
        f"  control API:  {origin}{CONTROL_PREFIX}",
        f"  operator:     {settings.operator.summary()}",
    ]
    return "\n".join(lines) + "\n"


def print_demo_credentials(
    base_url: str, settings: SimulatorSettings, stream: TextIO | None = None
) -> None:
    """Write `demo_credentials` to `stream` (standard output by default) and flush it."""
    out = sys.stdout if stream is None else stream
    out.write(demo_credentials(base_url, settings))
    out.flush()
