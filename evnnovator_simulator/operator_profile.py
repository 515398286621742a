"""How the simulated operator meters, stops and completes sessions: one profile of knobs.

The defaults are the exact operator the tests rely on (a continuous meter, a stop exactly
`stop_delay` after STOP, the autostop exactly at its energy). `OperatorProfile.realistic()` is what
real operators do (see section 5 of the API notes): a meter value every 60 s rounded to 0.01 kWh,
a stop 5-45 s after STOP, the record COMPLETED at the next meter value. Its stop latency is
drawn anew for every session across the whole range; with `stop_spread`, the operator has a
typical latency of its own instead (one hub, one charger), and each stop differs from it a little.
With `battery_kwh`, the car has a battery whose state of charge the session raises (battery.py).
"""

from dataclasses import dataclass, fields
import math
from typing import Any, Literal, Self

type Completion = Literal["next_sample", "at_stop"]
type Autostop = Literal["at_sample", "exact"]

COMPLETIONS: tuple[Completion, ...] = ("next_sample", "at_stop")
AUTOSTOPS: tuple[Autostop, ...] = ("at_sample", "exact")

_NUMBERS = (
    "power_kw",
    "stop_delay",
    "stop_jitter",
    "meter_interval",
    "meter_phase",
    "taper_kwh",
    "battery_start_percent",
    "charging_efficiency",
)
_INTEGERS = ("kwh_decimals", "seed")
FULL_PERCENT = 100.0
"""A full battery's state of charge."""
_SHORTEST_METER_INTERVAL = 0.001
"""Times are whole microseconds: a shorter interval would be read as a continuous meter."""

REALISTIC: dict[str, Any] = {
    "meter_interval": 60.0,
    "kwh_decimals": 2,
    "stop_delay": 5.0,
    "stop_jitter": 40.0,
    "completion": "next_sample",
    "autostop": "at_sample",
}
"""What `realistic()` changes from the exact defaults."""


@dataclass(frozen=True)
class OperatorProfile:
    """The operator's behaviour; times in seconds, energy in kWh, power in kW.

    A session keeps the profile in force when it starts, so changing it later does not rewrite
    a session's history.
    """

    power_kw: float = 7.4
    """Charging power, until the taper (if any) starts."""
    stop_delay: float = 5.0
    """Seconds from an accepted STOP (or an autostop seen by the operator) to the real stop."""
    stop_jitter: float = 0.0
    """Up to this many seconds are added to `stop_delay`, drawn per session from `seed`."""
    stop_spread: float | None = None
    """None: each session's latency is drawn anew across stop_delay..stop_delay+stop_jitter.
    A number: the operator's own typical latency is drawn once (from `seed`) in that range, and
    each session's is within this many seconds either side of it, never outside the range."""
    seed: int = 0
    """Seed of the jitter draws: the same seed and session give the same latency."""
    meter_interval: float = 0.0
    """Seconds between meter values (0: a continuous meter, every instant is a sample)."""
    meter_phase: float = 0.0
    """Offset of the samples: at charging start + meter_phase + k * meter_interval."""
    kwh_decimals: int = 3
    """Decimals of the `kwh` the API shows."""
    completion: Completion = "at_stop"
    """When the record says COMPLETED: at the next meter value after the real stop, or at once."""
    autostop: Autostop = "exact"
    """The START autostop: stop `stop_delay` (+ jitter) after the first sample at or past the
    energy ("at_sample"), or exactly at the energy with no latency ("exact")."""
    taper_from_kwh: float | None = None
    """Full power up to this energy, then exponentially less (None: no taper)."""
    taper_kwh: float = 10.0
    """Energy the battery still takes once tapering: the session tends to
    taper_from_kwh + taper_kwh and never reaches it."""
    car_full_kwh: float | None = None
    """The car stops drawing at this energy (full, or paused by the car): the session stays
    ACTIVE, the meter goes on sending the same energy (None: the car draws until stopped)."""
    car_resumes_after: float | None = None
    """Seconds after it stopped drawing that the car draws again, as before, with no second
    stop (a paused car; None: it never does)."""
    battery_kwh: float | None = None
    """The car's usable battery capacity (None: no battery model). Once full (100 %), the car
    stops drawing, as at `car_full_kwh`, and never draws again."""
    battery_start_percent: float = 20.0
    """The battery's state of charge when the session begins drawing."""
    charging_efficiency: float = 0.9
    """The share of the metered energy the battery stores (the rest is charging losses)."""
    reports_soc: bool = False
    """The charger reports the state of charge: the session's charging periods carry a
    STATE_OF_CHARGE dimension (whole percent, at the last meter value)."""

    def __post_init__(self) -> None:
        """Reject a profile that would make the operator answer nonsense."""
        for name in _NUMBERS:
            check_number(name, getattr(self, name))
        for name in _INTEGERS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an integer, not {value!r}")
        if self.kwh_decimals < 0:
            raise ValueError("kwh_decimals must be >= 0")
        if 0 < self.meter_interval < _SHORTEST_METER_INTERVAL:
            raise ValueError("meter_interval must be 0 (continuous) or at least 1 ms")
        if self.meter_phase >= self.meter_interval > 0 or (
            self.meter_interval == 0 < self.meter_phase
        ):
            raise ValueError("meter_phase must be < meter_interval (0 for a continuous meter)")
        if self.completion not in COMPLETIONS:
            raise ValueError(f"completion must be one of {COMPLETIONS}, not {self.completion!r}")
        if self.autostop not in AUTOSTOPS:
            raise ValueError(f"autostop must be one of {AUTOSTOPS}, not {self.autostop!r}")
        for name in (
            "taper_from_kwh",
            "stop_spread",
            "car_full_kwh",
            "car_resumes_after",
            "battery_kwh",
        ):
            if getattr(self, name) is not None:
                check_number(name, getattr(self, name))
        if self.taper_kwh == 0:
            raise ValueError("taper_kwh must be > 0")
        self._check_battery()

    def _check_battery(self) -> None:
        """Reject a battery that could not exist (its numbers are already checked finite)."""
        if self.battery_kwh == 0:
            raise ValueError("battery_kwh must be > 0 (None: no battery model)")
        if self.battery_start_percent > FULL_PERCENT:
            start = self.battery_start_percent
            raise ValueError(f"battery_start_percent must be 0-100, not {start!r}")
        if not 0 < self.charging_efficiency <= 1:
            efficiency = self.charging_efficiency
            raise ValueError(f"charging_efficiency must be in (0, 1], not {efficiency!r}")
        if not isinstance(self.reports_soc, bool):
            raise TypeError(f"reports_soc must be true or false, not {self.reports_soc!r}")

    @classmethod
    def realistic(cls, **changes: Any) -> Self:
        """Return the realistic operator (REALISTIC), with `changes` on top."""
        return cls(**(REALISTIC | changes))

    def summary(self) -> str:
        """Return a one-line description for people, e.g. in the demo's start-up lines."""
        power = f"{self.power_kw:g} kW"
        if self.taper_from_kwh is not None:
            ceiling = self.taper_from_kwh + self.taper_kwh
            power += f" tapering from {self.taper_from_kwh:g} kWh towards {ceiling:g} kWh"
        if self.car_full_kwh is not None:
            power += f", the car stops drawing at {self.car_full_kwh:g} kWh"
            if self.car_resumes_after is not None:
                power += f" and draws again {self.car_resumes_after:g} s later"
        if self.battery_kwh is not None:
            power += (
                f", a {self.battery_kwh:g} kWh battery from {self.battery_start_percent:g} %"
                f" ({self.charging_efficiency * 100:g} % of the energy stored)"
            )
            if self.reports_soc:
                power += ", the charger reports its state of charge"
        meter = (
            f"meter every {self.meter_interval:g} s" if self.meter_interval else "continuous meter"
        )
        if self.meter_phase:
            meter += f" (+{self.meter_phase:g} s)"
        stop = f"stop {self.stop_delay:g} s after STOP"
        if self.stop_jitter:
            most = self.stop_delay + self.stop_jitter
            stop = f"stop {self.stop_delay:g}-{most:g} s after STOP (seed {self.seed})"
            if self.stop_spread is not None:
                stop = (
                    f"stop {self.stop_delay:g}-{most:g} s after STOP, at a typical latency of its"
                    f" own ±{self.stop_spread:g} s (seed {self.seed})"
                )
        completed = "next meter value" if self.completion == "next_sample" else "stop"
        autostop = "seen at a meter value" if self.autostop == "at_sample" else "exact"
        return (
            f"{power}, {meter}, kwh to {self.kwh_decimals} decimals, {stop},"
            f" COMPLETED at the {completed}, autostop {autostop}"
        )

    def as_json(self) -> dict[str, Any]:
        """Return this profile's knobs (only these, also on a subclass) as a JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(OperatorProfile)}


def check_number(name: str, value: Any) -> None:
    """Raise ValueError unless `value` is a finite int or float >= 0 (JSON could send a bool)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
