"""Read article files into text: decode bytes, strip HTML, pick up `.meta.json`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class ReadError(Exception):
    """A file that cannot be turned into article text; the message names the file and why."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


@dataclass(frozen=True, slots=True)
class Source:
    """One article as text, with what its file tells about it."""

    name: str
    path: str
    text: str
    published: date | None = None
    url: str | None = None
    title: str | None = None
    encoding: str | None = None


def decode(data: bytes, where: str | Path = "<bytes>") -> tuple[str, str]:
    """Bytes to text and the encoding used; refuses empty, binary and undecodable input."""
    if not data.strip():
        raise ReadError(where, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _normalise_newlines(data.decode(enc)), enc
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise ReadError(where, "binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_ratio(text) > 0.05:
            raise ReadError(where, "binary file (control characters), not text")
        return _normalise_newlines(text), "utf-8"
    from charset_normalizer import from_bytes  # slow import, only for non-UTF-8 input

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(where, "cannot detect the text encoding (not UTF-8, GB18030, Big5 or UTF-16)")
    enc = best.encoding
    if enc in ("gb2312", "gbk", "hz"):
        enc = "gb18030"  # the superset decodes every GBK file and more
    text = data.decode(enc, errors="strict")
    if _control_ratio(text) > 0.05:
        raise ReadError(where, "binary file (control characters), not text")
    return _normalise_newlines(text), enc


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def _control_ratio(text: str) -> float:
    sample = text[:4096]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / max(1, len(sample))


def _normalise_newlines(text: str) -> str:
    # Universal newlines, as Python's text mode reads files: offsets then agree with it.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str, where: str | Path = "<html>") -> tuple[str, str | None, date | None]:
    """Main text, title and date of an HTML page (trafilatura)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      include_tables=True, favor_recall=True)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise ReadError(where, "HTML page has no main text")
    published = _parse_date(getattr(doc, "date", None))
    return _normalise_newlines(text), getattr(doc, "title", None), published


def _parse_date(value) -> date | None:
    if not value:
        return None
    value = str(value).strip()
    for size in (10, 7, 4):
        part = value[:size]
        try:
            if size == 10:
                return date.fromisoformat(part)
            if size == 7:
                return date.fromisoformat(part + "-01")
            return date(int(part), 1, 1)
        except ValueError:
            continue
    return None


def parse_published(value, where: str | Path = "<meta>") -> date | None:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY` to a date; None for null; ReadError otherwise."""
    if value in (None, ""):
        return None
    parsed = _parse_date(value)
    if parsed is None:
        raise ReadError(where, f"publication date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    return parsed


def read_meta(path: Path) -> dict:
    """The `NAME.meta.json` beside `NAME.txt`, or {} when there is none."""
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.exists():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ReadError(meta_path, f"not valid JSON: {err}") from None
    if not isinstance(meta, dict):
        raise ReadError(meta_path, "must hold a JSON object")
    return meta


def read_path(path: str | Path, published: date | None = None) -> Source:
    """Read one article file; `published` overrides the date its meta file gives."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(path, f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from None
    text, encoding = decode(data, path)
    meta = read_meta(path)
    title = meta.get("title")
    page_date = None
    if path.suffix.lower() in HTML_SUFFIXES:
        text, html_title, page_date = html_to_text(text, path)
        title = title or html_title
    when = published or parse_published(meta.get("published"), path.with_name(path.stem + ".meta.json"))
    return Source(name=path.stem, path=str(path), text=text, published=when or page_date,
                  url=meta.get("url"), title=title, encoding=encoding)


def iter_files(paths) -> list[Path]:
    """Article files under the given files and folders, folders read recursively in sorted order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            found.append(p)
    return found
