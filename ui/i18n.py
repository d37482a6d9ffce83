"""Interface labels in Chinese (default) and English, loaded once from ui/labels.yaml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from indicators.rules import load_yaml

LABELS_FILE = Path(__file__).with_name("labels.yaml")
LANGS = ("zh", "en")


class LabelError(ValueError):
    """A problem in the label file; the message names the file and the key."""


@lru_cache(maxsize=None)
def labels(path: Path = LABELS_FILE) -> dict[str, dict[str, str]]:
    """All labels as {key: {lang: text}}; every key must have a non-empty text in every language."""
    data = load_yaml(Path(path), LabelError)
    for key, texts in data.items():
        if not isinstance(texts, dict):
            raise LabelError(f"{path}: label {key!r} must map languages to texts")
        for lang in LANGS:
            if not isinstance(texts.get(lang), str) or not texts[lang].strip():
                raise LabelError(f"{path}: label {key!r} has no {lang!r} text")
        extra = set(texts) - set(LANGS)
        if extra:
            raise LabelError(f"{path}: label {key!r} has unknown languages {sorted(extra)}")
    return data


def text(key: str, lang: str = "zh", **fmt) -> str:
    """The label `key` in `lang`, with `{name}` placeholders filled from `fmt`."""
    try:
        template = labels()[key][lang if lang in LANGS else "zh"]
    except KeyError:
        raise LabelError(f"{LABELS_FILE}: no label {key!r}") from None
    return template.format(**fmt) if fmt else template


def has(key: str) -> bool:
    """Whether a label exists (for optional labels such as a sector name)."""
    return key in labels()
