"""Child processes in their own process groups, stopped whole, and a check that none is left."""

from collections.abc import Callable, Sequence
import contextlib
import ctypes
import os
from pathlib import Path
import signal
import socket
import subprocess
import time

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until[T](
    what: str, probe: Callable[[], T | None], *, timeout: float, interval: float = 0.25
) -> T:
    """Call `probe` until it returns something other than None; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the test process dies without cleaning up."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _start_time(pid: int) -> str | None:
    """Return the start time of process `pid` (tells it from a later one with the same id)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 and fields[0] != "Z" else None


def descendants(pid: int | None = None) -> dict[int, str]:
    """Return the living descendants of `pid` (default: this process) with their start times."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            ppid = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    pending = list(children.get(os.getpid() if pid is None else pid, []))
    while pending:
        child = pending.pop()
        if (started := _start_time(child)) is not None:
            found[child] = started
        pending.extend(children.get(child, []))
    return found


def still_running(processes: dict[int, str]) -> list[int]:
    """Return those of `processes` (pid: start time) that still run."""
    return [pid for pid, started in processes.items() if _start_time(pid) == started]


class ProcessGroup:
    """A command run in a new session and process group, with its output in a log file."""

    def __init__(self, name: str, command: Sequence[str | Path], log: Path, cwd: Path) -> None:
        """Start `command`."""
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603  # our own commands
                command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509  # only prctl, no locks
            )
        self.pgid = self.process.pid

    def check_running(self) -> None:
        """Fail if the process has ended."""
        if (status := self.process.poll()) is not None:
            raise RuntimeError(f"{self.name} exited with status {status}; see {self.log}")

    def group_alive(self) -> bool:
        """Return whether any process of the group still runs."""
        self.process.poll()  # reaps the leader once it has exited
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, grace: float = 30) -> None:
        """SIGTERM the whole group, SIGKILL what is left after `grace` seconds; then reap."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, sig)
            deadline = time.monotonic() + wait
            while self.group_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not self.group_alive():
                return
        raise RuntimeError(f"{self.name}: processes of group {self.pgid} survived SIGKILL")
