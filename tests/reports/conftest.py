"""Fixtures for document tests: the shared test clinic plus one patient's course (see course_data.py)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course_data import Course, build_course

from acudesk.persistence.database import Database


@pytest.fixture
def course(database: Database) -> Course:
    return build_course(database, sessions=6)


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's extracted text."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
