"""Managed processes: started in their own group, killed with their children, restarted."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from deploy.processes import (
    ManagedProcess,
    ProcessFailed,
    ProcessGroup,
    ProcessSpec,
    run_to_completion,
)

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]


def _gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a parent that is not ours to reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _wait_for_text(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path.name} never written"
        time.sleep(0.05)


def test_kill_ends_the_process_and_restart_appends_to_the_same_log(tmp_path: Path) -> None:
    process = ManagedProcess(ProcessSpec("sleeper", SLEEPER, tmp_path / "logs" / "s.log"))
    process.start()
    first = process.pid
    assert first is not None
    assert process.alive()
    process.kill()
    assert not process.alive()
    assert _gone(first)
    process.restart()
    assert process.alive()
    assert process.pid != first
    process.stop(timeout=5)
    assert process.starts == 2


def test_stop_reaches_the_children_of_the_process(tmp_path: Path) -> None:
    child_pid = tmp_path / "child.pid"
    parent = (
        "import subprocess, sys, time, pathlib;"
        f"c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"pathlib.Path({str(child_pid)!r}).write_text(str(c.pid)); time.sleep(60)"
    )
    process = ManagedProcess(
        ProcessSpec("parent", [sys.executable, "-c", parent], tmp_path / "p.log")
    )
    process.start()
    _wait_for_text(child_pid)
    process.stop(timeout=5)
    child = int(child_pid.read_text())
    deadline = time.monotonic() + 5
    while not _gone(child):  # SIGKILL is delivered at once, but dying takes a moment
        assert time.monotonic() < deadline, "the child outlived its stopped parent"
        time.sleep(0.05)


def test_a_failing_one_shot_process_reports_its_log_tail(tmp_path: Path) -> None:
    spec = ProcessSpec(
        "migrate",
        [sys.executable, "-c", "import sys; print('schema broken here'); sys.exit(3)"],
        tmp_path / "m.log",
    )
    with pytest.raises(ProcessFailed, match="exited with 3") as failure:
        run_to_completion(spec)
    assert "schema broken here" in str(failure.value)


def test_a_group_reports_processes_that_exited_on_their_own(tmp_path: Path) -> None:
    group = ProcessGroup()
    group.add(ProcessSpec("quits", [sys.executable, "-c", "pass"], tmp_path / "q.log"))
    group.add(ProcessSpec("stays", SLEEPER, tmp_path / "s.log"))
    assert group.crashed() == []  # never started is not crashed
    group.start_all()
    group["quits"].wait(10)
    assert [p.name for p in group.crashed()] == ["quits"]
    group.stop_all(timeout=5)
    assert not group["stays"].alive()
