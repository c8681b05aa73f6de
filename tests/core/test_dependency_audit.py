"""scripts/audit-dependencies: a known vulnerability fails, skipped packages are never counted as audited.

pip-audit itself needs PyPI's vulnerability data, which this machine cannot reach; these tests give the
script a stand-in pip-audit that answers with a prepared report, to check what the script makes of it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit-dependencies"


def run(tmp_path: Path, report: dict, **env) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text("#!/bin/sh\necho 'django==5.2.19'\necho 'nh3==0.3.2'\n")
    (bin_dir / "pip-audit").write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(report)}\nEOF\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--venv", str(tmp_path / "venv")],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=30,
    )


def test_a_known_vulnerability_fails(tmp_path):
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.19",
                "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["5.2.20"]}],
            },
            {"name": "nh3", "version": "0.3.2", "vulns": []},
        ]
    }
    result = run(tmp_path, report)
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.19: PYSEC-0000-1 (fixed in 5.2.20)" in result.stdout


def test_clean_packages_pass_and_skips_are_named(tmp_path):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {
                "name": "nh3",
                "skip_reason": "Dependency not found on PyPI and could not be audited: nh3 (0.3.2)",
            },
        ]
    }
    result = run(tmp_path, report)
    assert result.returncode == 0
    assert "2 packages, 1 audited, 1 skipped" in result.stdout
    assert "skipped: Dependency not found on PyPI" in result.stdout


@pytest.mark.parametrize(("offline_ok", "status"), [("", 2), ("1", 0)])
def test_nothing_audited_is_never_a_quiet_pass(tmp_path, offline_ok, status):
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    result = run(tmp_path, report, SHINRAI_AUDIT_OFFLINE_OK=offline_ok)
    assert result.returncode == status
    assert "no package could be audited" in result.stderr
