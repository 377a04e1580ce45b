"""`make run`: links in emails name the real port; Ctrl-C stops every process cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _as_in_a_terminal() -> None:
    """In the child: Ctrl-C's signal handled by default, as in a terminal. A shell that runs
    the tests in the background makes its jobs ignore SIGINT, and a script cannot trap a
    signal ignored when it started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_links_in_emails_use_the_port_the_portal_runs_on():
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "site-url", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DUALSOURCE_SITE_URL"},
    )
    assert out.stdout.strip() == "http://127.0.0.1:8123"


@pytest.mark.worker
def test_ctrl_c_stops_web_worker_and_scheduler_within_seconds(tmp_path):
    bin_dir = Path(sys.executable).parent
    port = _free_port()
    env = {
        **os.environ,
        "BIN": str(bin_dir),
        "PORT": str(port),
        "DUALSOURCE_VAR_DIR": str(tmp_path / "var"),
        "DUALSOURCE_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # Like a terminal: the script leads its own session and Ctrl-C reaches its whole group.
    process = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("The web server did not answer.")
        time.sleep(3)  # let the worker and scheduler finish starting
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired as timeout:
            # Either the script is still stopping, or it has exited and a process that
            # left its group still holds the output open: say which, with what it printed.
            state = "still running" if process.poll() is None else "exited, output held open"
            printed = timeout.output or b""
            if isinstance(printed, bytes):
                printed = printed.decode(errors="replace")
            pytest.fail(f"run.sh did not stop within 20 s of Ctrl-C ({state}):\n{printed}")
        assert time.monotonic() - started < 7, output  # SIGTERM, then SIGKILL after 4 s
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Stopped." in output
    assert "SIGKILL" not in output and "Traceback" not in output
    with pytest.raises(OSError):  # nothing listens any more
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
