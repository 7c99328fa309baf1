"""`make demo` runs `county-innovation demo`: a web server with a background worker beside it. Stopping the demo
(SIGTERM from a service manager or `kill`, as well as Ctrl+C) must stop the worker too (issue 11, friction)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def _read_until(process: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"「{pattern}」未出现；输出：\n{''.join(seen)}")


def _stop_demo(signum: int, tmp_path: Path) -> tuple[int, int]:
    """Start the demo in a fresh database, wait for its server, send ``signum``; (exit code, worker pid)."""
    env = {
        **os.environ,
        "COUNTY_INNOVATION_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "county_innovation.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "county_innovation.cli", "demo", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        worker = int(_read_until(process, r"后台计算进程已启动（pid (\d+)）", timeout=600).group(1))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the server answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        assert _alive(worker)
        process.send_signal(signum)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return code, worker


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_demo_stops_its_worker(tmp_path, signum):
    # SIGINT is sent to the demo process alone here (a terminal's Ctrl+C reaches the worker as well).
    code, worker = _stop_demo(signum, tmp_path)
    try:
        deadline = time.monotonic() + 15
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker), f"后台计算进程 {worker} 在演示服务停止后仍在运行"
        if signum == signal.SIGTERM:
            assert code == 128 + signal.SIGTERM
    finally:
        if _alive(worker):  # never leave an orphan behind, even when the test fails
            os.kill(worker, signal.SIGKILL)
