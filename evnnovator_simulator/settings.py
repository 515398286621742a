"""Settings of one simulator instance."""

from dataclasses import dataclass

from .auth import SCHEMES
from .dialect import DIALECTS, OCPI_2_1_1
from .operator_profile import OperatorProfile, check_number

DEFAULT_PREFIX = "/api/ocpi/api/v1"
"""Path prefix of the published base URL, `https://api-gateway-evnnovator.com/api/ocpi/api/v1`."""

DEMO_TOKEN = "sim-demo-token-4f9c2a"  # noqa: S105 (the published demo token of a fake server)
"""API token the simulator accepts unless told otherwise."""


@dataclass(frozen=True)
class SimulatorSettings(OperatorProfile):
    """How the simulated API behaves; times are in seconds, energy in kWh, power in kW.

    The inherited fields (power_kw, stop_delay, meter_interval, ...) are the default operator
    profile, `operator`, so they are declared once; `SimulatorSettings.realistic(...)` gives the
    realistic operator's.
    """

    token: str = DEMO_TOKEN
    prefix: str = DEFAULT_PREFIX
    tariff_per_kwh: float = 18.0
    """The energy price of the demo EVSE's tariff (TARIFF_ID), before tax."""
    second_tariff_per_kwh: float = 24.0
    """The energy price of the second EVSE's tariff (SECOND_TARIFF_ID), before tax."""
    currency: str = "INR"
    pending_delay: float = 5.0
    cdr_delay: float = 34.0
    """Seconds from a session's completion to its CDR (the sample's 05:15:59 -> 05:16:33)."""
    tax_rate: float = 0.18
    """The tax the CDR adds to `total_cost` in `total_cost_incl_vat` (India's GST)."""
    demo_world: bool = True
    command_envelope: bool = False
    auth_schemes: tuple[str, ...] = SCHEMES
    """The Authorization schemes the gateway takes: both by default, or one alone."""
    dialect: str = OCPI_2_1_1
    """The OCPI version every answer speaks: EVnnovator's 2.1.1 shape, or its hub's 2.2.1."""

    def __post_init__(self) -> None:
        """Reject settings that would make the simulator answer nonsense."""
        super().__post_init__()
        if not self.token:
            # An empty token would match any "Token " header and defeat redaction.
            raise ValueError("token must not be empty")
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise ValueError("prefix must be empty or start with '/' and not end with '/'")
        if not self.auth_schemes or not set(self.auth_schemes) <= set(SCHEMES):
            raise ValueError(f"auth_schemes must name some of {SCHEMES}")
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}")
        for name in (
            "tariff_per_kwh",
            "second_tariff_per_kwh",
            "pending_delay",
            "cdr_delay",
            "tax_rate",
        ):
            check_number(name, getattr(self, name))

    @property
    def operator(self) -> OperatorProfile:
        """The default operator profile: these settings' operator fields alone."""
        return OperatorProfile(**self.as_json())
