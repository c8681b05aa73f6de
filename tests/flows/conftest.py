"""Fixtures for the flows tests: the BPMN MIWG sample models in ../shared/samples/bpmn (read-only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.clock import TOKYO, _english, clock  # noqa: F401  (re-exported fixtures)


def _samples_dir() -> Path:
    """../shared/samples/bpmn beside the project root, or where SHINRAI_BPMN_SAMPLES points.

    The samples are not copied into the repository (their home is the shared folder); a clean clone
    elsewhere on this machine still finds them at /work/shared.
    """
    candidates = [
        os.environ.get("SHINRAI_BPMN_SAMPLES", ""),
        str(Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "bpmn"),
        "/work/shared/samples/bpmn",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "A.1.0.bpmn").is_file():
            return Path(candidate)
    raise RuntimeError("BPMN samples not found: set SHINRAI_BPMN_SAMPLES to ../shared/samples/bpmn")


SAMPLES = _samples_dir()
SAMPLE_IDS = ("A.1.0", "A.2.0", "A.3.0", "A.4.0", "B.1.0", "C.2.0")


def sample_bytes(sample_id: str) -> bytes:
    return (SAMPLES / f"{sample_id}.bpmn").read_bytes()


@pytest.fixture(params=SAMPLE_IDS)
def sample(request) -> tuple[str, bytes]:
    """(id, file bytes) of each sample model in turn."""
    return request.param, sample_bytes(request.param)
