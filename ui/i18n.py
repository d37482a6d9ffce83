"""Interface labels in Chinese (default) and English, loaded once from ui/labels.yaml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).with_name("labels.yaml")
LANGS = ("zh", "en")


class LabelError(ValueError):
    """A problem in the label file; the message names the file and the key."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise LabelError(f"{loader.path}: duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@lru_cache(maxsize=None)
def labels(path: Path = LABELS_FILE) -> dict[str, dict[str, str]]:
    """All labels as {key: {lang: text}}; every key must have a non-empty text in every language."""
    loader = _UniqueKeyLoader(Path(path).read_text(encoding="utf-8"))
    loader.path = path
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        raise LabelError(f"{path}: not valid YAML: {err}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise LabelError(f"{path}: must be a mapping of label keys")
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
