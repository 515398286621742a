"""What the benchmarks measured, and the Markdown tables that show it beside the targets."""

from __future__ import annotations

from dataclasses import dataclass, field
import statistics

TARIFF = 18.0
"""INR per kWh: the simulator's tariff."""
POWERS_KW = (3.3, 7.4, 22.0, 60.0)
RUNS = 20
SCENARIOS = {
    "automation": "(a) automation presses Stop, 60 s polling",
    "energy_limit": "(b) Energy limit entity",
    "autostop": "(c) operator's autostop (start_charging)",
}

# Targets: (b) and (c) at 7.4 kW, on the median.
TARGET_LIMIT_KWH = 0.02
TARGET_AUTOSTOP_KWH = 0.005
TARGET_STALENESS_S = 30.0
TARGET_STOP_SHOWN_S = 10.0
TARGET_REQUESTS = 600


@dataclass
class Day:
    """The standard day's figures."""

    requests: int = 0
    staleness: list[float] = field(default_factory=list)
    noticed_after: float | None = None
    stop_shown_after: float | None = None


@dataclass
class Results:
    """Everything measured in one run of the benchmark."""

    overshoot: dict[tuple[str, float], list[float]] = field(default_factory=dict)
    """kWh over X per run, by scenario and power."""
    stops: dict[tuple[str, float], list[int]] = field(default_factory=dict)
    """STOP commands sent per run, by scenario and power."""
    day: Day | None = None


RESULTS = Results()


def _verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def _overshoot_cell(values: list[float]) -> str:
    median, worst = statistics.median(values), max(values)
    return f"{median:.3f} / {worst:.3f} kWh<br>({median * TARIFF:.2f} / {worst * TARIFF:.2f} INR)"


def overshoot_table(results: Results) -> list[str]:
    """Median and worst overshoot of each scenario at each power."""
    scenarios = [key for key in SCENARIOS if any(k[0] == key for k in results.overshoot)]
    lines = [
        "| Power | " + " | ".join(SCENARIOS[key] for key in scenarios) + " |",
        "|---" * (len(scenarios) + 1) + "|",
    ]
    for power in POWERS_KW:
        cells = [
            _overshoot_cell(results.overshoot[key, power])
            if (key, power) in results.overshoot
            else "-"
            for key in scenarios
        ]
        lines.append(f"| {power:g} kW | " + " | ".join(cells) + " |")
    lowest, stops = [], []
    for key in scenarios:
        runs = [v for k, v in results.overshoot.items() if k[0] == key]
        counts = {n for k, v in results.stops.items() if k[0] == key for n in v}
        lowest.append(f"{SCENARIOS[key][:3]} {min(min(v) for v in runs):.3f}")
        stops.append(f"{SCENARIOS[key][:3]} " + " or ".join(str(n) for n in sorted(counts)))
    lines += [
        "",
        "Lowest overshoot of any run, kWh (below 0: stopped short of X): "
        + ", ".join(lowest)
        + ".",
        "STOP commands sent per run: " + ", ".join(stops) + ".",
    ]
    return lines


def day_table(day: Day) -> list[str]:
    """The standard day's figures."""
    staleness = (
        f"{statistics.median(day.staleness):.1f} s / {max(day.staleness):.1f} s"
        if day.staleness
        else "-"
    )

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} s"

    return [
        "| Standard day (7.4 kW, 2 h charging started outside HA, 22 h idle, defaults) | |",
        "|---|---|",
        f"| Requests in 24 h | {day.requests} |",
        f"| Age of the energy shown while charging, median / worst | {staleness} |",
        f"| Start noticed after (idle polling) | {seconds(day.noticed_after)} |",
        f"| STOP (button) shown after the API reported it | {seconds(day.stop_shown_after)} |",
    ]


def targets_table(results: Results) -> list[str]:
    """Each target beside what was measured."""
    rows: list[tuple[str, str, bool]] = []
    for key, target in (("energy_limit", TARGET_LIMIT_KWH), ("autostop", TARGET_AUTOSTOP_KWH)):
        values = results.overshoot.get((key, 7.4))
        if values:
            median = statistics.median(values)
            rows.append(
                (
                    f"{SCENARIOS[key][:3]} median overshoot at 7.4 kW ≤ {target} kWh",
                    f"{median:.4f} kWh",
                    median <= target,
                )
            )
    day = results.day
    if day is not None:
        worst = max(day.staleness) if day.staleness else float("inf")
        rows.append(
            (
                f"Energy shown while charging at most {TARGET_STALENESS_S:g} s old (worst)",
                f"{worst:.1f} s",
                worst <= TARGET_STALENESS_S,
            )
        )
        shown = day.stop_shown_after if day.stop_shown_after is not None else float("inf")
        rows.append(
            (
                f"STOP shown ≤ {TARGET_STOP_SHOWN_S:g} s after the API reports it",
                f"{shown:.1f} s",
                shown <= TARGET_STOP_SHOWN_S,
            )
        )
        rows.append(
            (
                f"≤ {TARGET_REQUESTS} requests on the standard day",
                str(day.requests),
                day.requests <= TARGET_REQUESTS,
            )
        )
    lines = ["| Target | Measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {_verdict(ok)} |" for name, value, ok in rows]
    return lines


def report(results: Results) -> list[str]:
    """All tables, in Markdown."""
    lines: list[str] = []
    if results.overshoot:
        lines += [
            f"Stop at X kWh: overshoot over X, median / worst of {RUNS} runs",
            "",
            *overshoot_table(results),
            "",
        ]
    if results.day is not None:
        lines += [*day_table(results.day), ""]
    if results.overshoot or results.day is not None:
        lines += targets_table(results)
    return lines
