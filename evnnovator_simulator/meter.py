"""The arithmetic of an operator profile: energy over time, meter samples, stop latency.

Everything has a closed form, so a session's state at any instant is computed, never simulated
step by step. Times are measured from the moment charging began.
"""

from datetime import timedelta
import hashlib
import math

from .operator_profile import OperatorProfile

_SECONDS_PER_HOUR = 3600.0
_ZERO = timedelta(0)


def energy_kwh(profile: OperatorProfile, elapsed: timedelta) -> float:
    """Return the energy delivered `elapsed` after charging began.

    Full power up to `taper_from_kwh`, then the power decays exponentially with the energy still
    missing, so the energy tends to taper_from_kwh + taper_kwh without reaching it.
    """
    hours = max(0.0, elapsed.total_seconds()) / _SECONDS_PER_HOUR
    power = profile.power_kw
    knee = profile.taper_from_kwh
    if knee is None or power * hours <= knee:
        return power * hours
    # Full power until the knee; past it, tau = taper_kwh / power keeps the power continuous.
    tau = profile.taper_kwh / power
    return knee + profile.taper_kwh * -math.expm1(-(hours - knee / power) / tau)


def time_to_reach(profile: OperatorProfile, kwh: float) -> timedelta | None:
    """Return how long after charging began the energy reaches `kwh`, None if it never does."""
    power = profile.power_kw
    if kwh <= 0:
        return _ZERO
    if power == 0:
        return None
    knee = profile.taper_from_kwh
    if knee is None or kwh <= knee:
        return timedelta(hours=kwh / power)
    missing_share = (kwh - knee) / profile.taper_kwh
    if missing_share >= 1:
        return None
    tau = profile.taper_kwh / power
    return timedelta(hours=knee / power - tau * math.log1p(-missing_share))


def last_sample(profile: OperatorProfile, elapsed: timedelta) -> timedelta:
    """Return the latest meter sample at or before `elapsed` (0 is the start of charging).

    Samples are at meter_phase + k * meter_interval; a continuous meter samples every instant.
    """
    interval, phase = _grid(profile)
    if not interval:
        return max(elapsed, _ZERO)
    if elapsed < phase:
        return _ZERO
    # Whole microseconds (timedelta arithmetic): a sample falls exactly on its instant.
    return phase + (elapsed - phase) // interval * interval


def next_sample(profile: OperatorProfile, elapsed: timedelta) -> timedelta:
    """Return the first meter sample at or after `elapsed`."""
    interval, phase = _grid(profile)
    if not interval or elapsed <= _ZERO:
        return max(elapsed, _ZERO)
    if elapsed <= phase:
        return phase
    return phase - (phase - elapsed) // interval * interval


def stop_latency(profile: OperatorProfile, key: str) -> timedelta:
    """Return the delay from a stop decision to the real stop, for the session named `key`.

    stop_delay plus a share of stop_jitter drawn from (seed, key): reproducible run after run,
    different from one session to the next.
    """
    digest = hashlib.sha256(f"{profile.seed}:{key}".encode()).digest()
    share = int.from_bytes(digest[:8]) / 2**64
    return timedelta(seconds=profile.stop_delay + profile.stop_jitter * share)


def _grid(profile: OperatorProfile) -> tuple[timedelta, timedelta]:
    """Return the meter's interval and phase as timedeltas (a zero interval: continuous)."""
    return timedelta(seconds=profile.meter_interval), timedelta(seconds=profile.meter_phase)
