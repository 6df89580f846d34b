"""Real clients for tests: LibreOffice (headless) and, later, a browser.

They are installed by the README's test command (and so by .ci/run). A test needing one fails
when it is missing, so CI cannot pass without it; a developer without it can set
PLANNER_SKIP_CLIENT_TESTS=1 to skip those tests knowingly.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path:
        return path
    if os.environ.get("PLANNER_SKIP_CLIENT_TESTS") == "1":
        pytest.skip(f"{program} not installed and PLANNER_SKIP_CLIENT_TESTS=1")
    pytest.fail(f"{program} is needed: install Debian's {package} (the README's test command does), "
                f"or set PLANNER_SKIP_CLIENT_TESTS=1 to skip tests that need it")


def libreoffice(args: list[str], workdir: Path) -> None:
    """Run LibreOffice headless with a fresh profile (so runs never share state)."""
    soffice = need("soffice", "libreoffice-calc")
    profile = workdir / "lo-profile"
    result = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}", *args],
                            capture_output=True, text=True, timeout=180, cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
