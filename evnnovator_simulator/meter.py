"""The arithmetic of an operator profile: energy over time, meter samples, stop latency.

Everything has a closed form, so a session's state at any instant is computed, never simulated
step by step. Times are measured from the moment charging began.
"""

from datetime import timedelta
import hashlib
import math

from .battery import full_at_kwh
from .operator_profile import OperatorProfile

_SECONDS_PER_HOUR = 3600.0
_ZERO = timedelta(0)


def energy_kwh(profile: OperatorProfile, elapsed: timedelta) -> float:
    """Return the energy delivered `elapsed` after charging began.

    The car's own stop (`car_full_kwh`) holds the energy still, for ever or until it draws again
    (`car_resumes_after`): the charger's curve then goes on where it left off. A full battery
    holds it still for ever.
    """
    battery_full = full_at_kwh(profile)
    drawn = _drawn_kwh(profile, elapsed)
    return drawn if battery_full is None else min(drawn, battery_full)


def _drawn_kwh(profile: OperatorProfile, elapsed: timedelta) -> float:
    """The energy `elapsed` after charging began, as the charger and the car's pause allow."""
    full = _car_full_at(profile)
    if full is not None and profile.car_full_kwh is not None:
        resumes = profile.car_resumes_after
        if full <= elapsed and (resumes is None or elapsed <= full + timedelta(seconds=resumes)):
            # The target itself while paused: its time is rounded to the microsecond.
            return profile.car_full_kwh
    return _charger_energy_kwh(profile, _drawing_time(profile, elapsed))


def time_to_reach(profile: OperatorProfile, kwh: float) -> timedelta | None:
    """Return how long after charging began the energy reaches `kwh`, None if it never does."""
    battery_full = full_at_kwh(profile)
    if battery_full is not None and kwh > battery_full:
        return None
    reach = _charger_time_to_reach(profile, kwh)
    full = _car_full_at(profile)
    if reach is None or full is None or reach <= full:
        return reach
    if profile.car_resumes_after is None:
        return None
    return reach + timedelta(seconds=profile.car_resumes_after)


def _car_full_at(profile: OperatorProfile) -> timedelta | None:
    """When the car stops drawing; None if it never does (no such stop, or never reached)."""
    if profile.car_full_kwh is None:
        return None
    return _charger_time_to_reach(profile, profile.car_full_kwh)


def _drawing_time(profile: OperatorProfile, elapsed: timedelta) -> timedelta:
    """The time the car has drawn energy, `elapsed` after charging began (its pause left out)."""
    full = _car_full_at(profile)
    if full is None or elapsed <= full:
        return elapsed
    if profile.car_resumes_after is None:
        return full
    return max(full, elapsed - timedelta(seconds=profile.car_resumes_after))


def _charger_energy_kwh(profile: OperatorProfile, elapsed: timedelta) -> float:
    """The energy after `elapsed` of drawing: the charger's curve.

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


def _charger_time_to_reach(profile: OperatorProfile, kwh: float) -> timedelta | None:
    """How long the car draws until the charger's curve reaches `kwh`; None if it never does."""
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

    Drawn from (seed, key): reproducible run after run, different from one session to the next.
    Anew across stop_delay..stop_delay+stop_jitter, or, with a `stop_spread`, within it either
    side of the operator's typical latency.
    """
    share = _draw(profile.seed, key)
    if profile.stop_spread is None:
        return timedelta(seconds=profile.stop_delay + profile.stop_jitter * share)
    spread = _effective_spread(profile)
    return timedelta(seconds=typical_stop_latency(profile) + spread * (2 * share - 1))


def typical_stop_latency(profile: OperatorProfile) -> float:
    """Return the operator's own typical stop latency, in seconds (with a `stop_spread`).

    Drawn once from the seed, far enough inside the range that every stop stays within it.
    """
    spread = _effective_spread(profile)
    room = profile.stop_jitter - 2 * spread
    # Not a session's hex id: the operator's draw is apart from every session's.
    return profile.stop_delay + spread + room * _draw(profile.seed, "operator's typical latency")


def _effective_spread(profile: OperatorProfile) -> float:
    """The stop spread, at most half the range: wider would leave it."""
    return min(profile.stop_spread or 0.0, profile.stop_jitter / 2)


def _draw(seed: int, key: str) -> float:
    """Return a share in [0, 1) drawn from (seed, key)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8]) / 2**64


def _grid(profile: OperatorProfile) -> tuple[timedelta, timedelta]:
    """Return the meter's interval and phase as timedeltas (a zero interval: continuous)."""
    return timedelta(seconds=profile.meter_interval), timedelta(seconds=profile.meter_phase)
