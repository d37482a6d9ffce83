"""The label file: every key the dashboard uses exists in Chinese and English; bad files fail clearly."""
from __future__ import annotations

import re

import pytest

from tests.conftest import REPO
from ui import i18n

SOURCES = [REPO / "app.py", *sorted((REPO / "views").glob("*.py")), *sorted((REPO / "ui").glob("*.py"))]


def test_every_literal_label_key_exists():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r'\bt\("([^"]+)"', path.read_text(encoding="utf-8")))
    assert used, "no label keys found: the scan is broken"
    missing = sorted(k for k in used if not i18n.has(k))
    assert not missing, missing


def test_value_labels_cover_kinds_sectors_and_statuses():
    from indicators.claim import KINDS, SECTORS

    for prefix, values in (("kind", KINDS), ("sector", SECTORS),
                           ("status", ("unreviewed", "confirmed", "corrected", "rejected"))):
        for value in values:
            assert i18n.has(f"{prefix}.{value}"), f"{prefix}.{value}"


def test_placeholders_are_the_same_in_both_languages():
    for key, texts in i18n.labels().items():
        assert set(re.findall(r"{(\w+)}", texts["zh"])) == set(re.findall(r"{(\w+)}", texts["en"])), key


@pytest.mark.parametrize("body, problem", [
    ("a: {zh: 一, en: one}\na: {zh: 二, en: two}\n", "duplicate key 'a'"),
    ("a: {zh: 一}\n", "has no 'en' text"),
    ("a: {zh: 一, en: one, fr: un}\n", "unknown languages"),
    ("- a\n", "must be a mapping"),
])
def test_bad_label_files_name_the_file_and_problem(tmp_path, body, problem):
    path = tmp_path / "labels.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(i18n.LabelError, match=problem) as err:
        i18n.labels(path)
    assert str(path) in str(err.value)
