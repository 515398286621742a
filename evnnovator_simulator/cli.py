"""Command line: `python -m evnnovator_simulator --host 127.0.0.1 --port 8080`."""

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import logging
from typing import TextIO

from .credentials import print_demo_credentials
from .settings import DEFAULT_PREFIX, DEMO_TOKEN, SimulatorSettings
from .simulator import Simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    defaults = SimulatorSettings()
    parser = argparse.ArgumentParser(
        prog="python -m evnnovator_simulator", description="Serve a fake EVnnovator API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--token", default=DEMO_TOKEN)
    parser.add_argument("--power-kw", type=float, default=defaults.power_kw)
    parser.add_argument("--pending-delay", type=float, default=defaults.pending_delay)
    parser.add_argument("--stop-delay", type=float, default=defaults.stop_delay)
    parser.add_argument(
        "--command-envelope",
        action="store_true",
        help="wrap command answers in the OCPI envelope",
    )
    return parser.parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> SimulatorSettings:
    """Return the settings the command line asks for."""
    return SimulatorSettings(
        token=args.token,
        prefix=args.prefix,
        power_kw=args.power_kw,
        pending_delay=args.pending_delay,
        stop_delay=args.stop_delay,
        command_envelope=args.command_envelope,
    )


async def serve(
    settings: SimulatorSettings,
    host: str,
    port: int,
    *,
    stream: TextIO | None = None,
    until: asyncio.Event | None = None,
) -> None:
    """Run a simulator, print the demo credentials, and serve until `until` is set (or forever)."""
    simulator = Simulator(settings)
    base_url = await simulator.start(host, port)
    try:
        print_demo_credentials(base_url, settings, stream)
        await (until or asyncio.Event()).wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until interrupted; return the exit status."""
    args = parse_args(argv)
    settings = settings_from_args(args)
    # Shows each API request (never the token) as the simulator answers it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # Ctrl+C is the normal way to stop it, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, args.host, args.port))
    return 0
