"""Child processes that can be started, stopped, killed and restarted by name.

Each runs in its own session (process group), so stopping it also stops anything it
spawned, and its output goes to a log file that survives restarts (appended to).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("heard.deploy")


@dataclass(frozen=True)
class ProcessSpec:
    """How to run one process: its command, environment and log file."""

    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None


class ManagedProcess:
    """One child process, restartable with the same command and log."""

    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self._popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def name(self) -> str:
        """The process's name, e.g. `triage-consume`."""
        return self.spec.name

    @property
    def pid(self) -> int | None:
        """The pid of the running process, or None."""
        return self._popen.pid if self._popen is not None else None

    def alive(self) -> bool:
        """Whether the process was started and has not exited."""
        return self._popen is not None and self._popen.poll() is None

    def exit_code(self) -> int | None:
        """The exit code if the process has exited, else None."""
        return None if self._popen is None else self._popen.poll()

    def start(self) -> None:
        """Start the process (no-op if it is running)."""
        if self.alive():
            return
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.spec.env}
        with self.spec.log_path.open("ab") as out:
            self._popen = subprocess.Popen(
                list(self.spec.argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.spec.cwd,
                start_new_session=True,
            )
        self.starts += 1

    def stop(self, timeout: float = 20) -> None:
        """Ask the process to stop (SIGTERM), then kill it if it has not after `timeout`."""
        if self._popen is None:
            return
        if self._popen.poll() is None:
            self.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %ss; killing it", self.name, timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the process and its group now (a crash, as far as it can tell)."""
        if self._popen is None:
            return
        self.send_signal(signal.SIGKILL)
        self._popen.wait()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit and return its code (TimeoutExpired after `timeout`)."""
        if self._popen is None:
            raise ProcessLookupError(f"{self.name} was never started")
        return self._popen.wait(timeout)

    def restart(self) -> None:
        """Stop (gracefully) and start again."""
        self.stop()
        self.start()

    def send_signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the process's whole group, if it was started."""
        if self._popen is None:
            return
        # Already gone (and reaped, or about to be) is what we wanted anyway.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, sig)


def run_to_completion(spec: ProcessSpec, timeout: float = 120) -> None:
    """Run a one-shot process (e.g. migrations); raise with its log tail if it fails."""
    process = ManagedProcess(spec)
    process.start()
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise ProcessFailed(spec, "timed out") from None
    if code != 0:
        raise ProcessFailed(spec, f"exited with {code}")


class ProcessFailed(RuntimeError):
    """A process Heard needs could not start or finish."""

    def __init__(self, spec: ProcessSpec, what: str) -> None:
        super().__init__(
            f"{spec.name} {what}; last lines of {spec.log_path}:\n{tail(spec.log_path)}"
        )


def tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a log file ('' if it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class ProcessGroup:
    """Named processes started in order and stopped in reverse order."""

    def __init__(self) -> None:
        self._processes: dict[str, ManagedProcess] = {}

    def add(self, spec: ProcessSpec) -> ManagedProcess:
        """Register a process (not started)."""
        process = ManagedProcess(spec)
        self._processes[spec.name] = process
        return process

    def __getitem__(self, name: str) -> ManagedProcess:
        return self._processes[name]

    def __iter__(self) -> Iterator[ManagedProcess]:
        return iter(self._processes.values())

    def start_all(self) -> None:
        """Start every registered process."""
        for process in self:
            process.start()

    def stop_all(self, timeout: float = 20) -> None:
        """Stop every process, last started first; all are signalled before waiting."""
        running = [p for p in reversed(list(self)) if p.alive()]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            process.stop(max(0.1, deadline - time.monotonic()))

    def crashed(self) -> list[ManagedProcess]:
        """Processes that were started and have exited on their own."""
        return [p for p in self if p.starts and not p.alive()]
