"""Settings of one simulator instance."""

from dataclasses import dataclass
import math

DEFAULT_PREFIX = "/api/ocpi/api/v1"
"""Path prefix of the published base URL, `https://api-gateway-evnnovator.com/api/ocpi/api/v1`."""

DEMO_TOKEN = "sim-demo-token-4f9c2a"  # noqa: S105 (the published demo token of a fake server)
"""API token the simulator accepts unless told otherwise."""


@dataclass(frozen=True)
class SimulatorSettings:
    """How the simulated API behaves; times are in seconds, energy in kWh, power in kW."""

    token: str = DEMO_TOKEN
    prefix: str = DEFAULT_PREFIX
    power_kw: float = 7.4
    tariff_per_kwh: float = 18.0
    currency: str = "INR"
    pending_delay: float = 5.0
    stop_delay: float = 5.0
    kwh_decimals: int = 3
    demo_world: bool = True
    command_envelope: bool = False

    def __post_init__(self) -> None:
        """Reject settings that would make the simulator answer nonsense."""
        if not self.token:
            # An empty token would match any "Token " header and defeat redaction.
            raise ValueError("token must not be empty")
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise ValueError("prefix must be empty or start with '/' and not end with '/'")
        for name in ("power_kw", "tariff_per_kwh", "pending_delay", "stop_delay"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
        if self.kwh_decimals < 0:
            raise ValueError("kwh_decimals must be >= 0")
