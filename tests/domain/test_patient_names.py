"""A patient's name as its owner writes it (issue 13): Chinese, Japanese and Korean names family name
first ("王小明", not "小明 王"); every other name given name first."""

from __future__ import annotations

import pytest

from acudesk.domain.patients import full_name


@pytest.mark.parametrize(("given", "family", "written"), [
    ("小明", "王", "王小明"),
    ("大文", "陳", "陳大文"),
    ("花子", "山田", "山田花子"),
    ("はなこ", "やまだ", "やまだ はなこ"),  # kana keeps its space
    ("민준", "김", "김민준"),
    ("Nora", "Quill", "Nora Quill"),
    ("محمد", "العلي", "\u2068محمد العلي\u2069"),  # isolated: a sentence starting with it stays left to right
    ("דוד", "כהן", "\u2068דוד כהן\u2069"),
    ("Thị Ánh", "Nguyễn", "Thị Ánh Nguyễn"),  # the registry holds it in the order the patient gave
    ("Wen", "Xu", "Wen Xu"),  # a Chinese name written in Latin letters: as registered
    ("", "Quill", "Quill"),
    ("Nora", "", "Nora"),
])
def test_names_are_written_as_their_owners_write_them(given: str, family: str, written: str) -> None:
    assert full_name(given, family) == written
