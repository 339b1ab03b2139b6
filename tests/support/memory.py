"""The peak memory of this process, for probes run in a fresh process."""

from __future__ import annotations

from pathlib import Path


def peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux: VmHWM). Not getrusage's ru_maxrss, which
    Linux keeps across fork and exec: a probe started by a pytest process that once held
    600 MB would report 600 MB whatever it used itself."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:", 1)[1].split()[0]) * 1024  # kB
