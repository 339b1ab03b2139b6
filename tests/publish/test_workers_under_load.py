"""`incoming serve --workers 2` on a machine whose cores are all busy: both web processes come
up and stay up. uvicorn's supervisor kills a process that does not answer its health check in
time; a process that took long to start was killed and replaced in a loop (issue 20, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.processes import free_port, wait_until_up

# The installed `incoming` script, as an operator runs it: spawned web processes import the
# main script again, so how much it imports is part of what this measures.
INCOMING = Path(sys.executable).with_name("incoming")
BUSY_SECONDS = 50
UP_SECONDS = 40
BUSY_LOOP = (
    f"import time\nend = time.monotonic() + {BUSY_SECONDS}\nwhile time.monotonic() < end: pass"
)


def test_two_web_processes_start_while_every_core_is_busy(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    command = [str(INCOMING), "--database", f"sqlite:///{tmp_path / 'store.db'}", "serve"]
    command += ["--workers", "2", "--no-refresh", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(os.cpu_count() or 2)]
    server = None
    try:
        with log.open("wb") as stderr:
            server = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wait_until_up(f"{base}/static/site.css", server, timeout=UP_SECONDS)
        deadline = time.monotonic() + UP_SECONDS
        while log.read_text().count("Application startup complete") < 2:
            assert time.monotonic() < deadline, log.read_text()
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        codes = [httpx.get(f"{base}/", timeout=30).status_code for _ in range(20)]
        assert codes == [200] * 20
        assert "Child process" not in log.read_text(), log.read_text()
    finally:
        for process in busy:
            process.kill()
            process.wait()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
