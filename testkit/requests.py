"""The requests the simulator received, picked by what they asked for."""

from evnnovator_simulator import RecordedRequest, Simulator


def stop_requests(simulator: Simulator) -> list[RecordedRequest]:
    """The STOP commands received, oldest first."""
    return [r for r in simulator.requests if r.path.endswith("/commands/STOP_SESSION")]


def polls(simulator: Simulator) -> list[RecordedRequest]:
    """The latest-session requests received, oldest first."""
    return [r for r in simulator.requests if r.path.endswith("/latest")]
