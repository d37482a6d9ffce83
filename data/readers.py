"""Turn ingest inputs (files, folders, archives, record files) into article Sources, one failure per bad item."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from indicators.reader import (HTML_SUFFIXES, MAX_BYTES, TEXT_SUFFIXES, ReadError, Source, decode,
                               html_to_text, parse_published, read_path)

RECORD_SUFFIXES = (".json", ".jsonl", ".csv")
ARCHIVE_SUFFIXES = (".zip",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES + ARCHIVE_SUFFIXES
MAX_CONTAINER_BYTES = 2 * 1024 ** 3   # a .jsonl/.csv/.zip may hold many articles
MAX_ZIP_TOTAL = 4 * 1024 ** 3         # uncompressed bytes one archive may expand to (zip bombs)
MAX_ZIP_DEPTH = 2
META_SUFFIX = ".meta.json"


@dataclass(frozen=True, slots=True)
class Failure:
    """An input item that yields no article: where it is and why."""

    name: str
    reason: str


Item = Source | Failure


def is_sidecar(name: str) -> bool:
    """A `NAME.meta.json` file describes `NAME.txt`; it is not an article itself."""
    return name.lower().endswith(META_SUFFIX)


def walk(path: Path) -> list[Path]:
    """Ingestible files under a folder, recursively, sorted; sidecars and other files left out."""
    return sorted(f for f in path.rglob("*")
                  if f.is_file() and f.suffix.lower() in SUFFIXES and not is_sidecar(f.name)
                  and not any(part.startswith(".") for part in f.relative_to(path).parts))


def from_path(path: Path) -> Iterator[Item]:
    """The articles of one file on disk."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES + HTML_SUFFIXES:
        try:
            yield read_path(path)
        except ReadError as err:
            yield Failure(str(path), err.reason)
        return
    if suffix not in SUFFIXES:
        yield Failure(str(path), f"unsupported file type {suffix or '(none)'!r}; "
                                 f"expected one of {' '.join(SUFFIXES)}")
        return
    try:
        size = path.stat().st_size
    except OSError as err:
        yield Failure(str(path), err.strerror or str(err))
        return
    if size > MAX_CONTAINER_BYTES:
        yield Failure(str(path), f"file is {size} bytes, over the {MAX_CONTAINER_BYTES}-byte limit")
        return
    if suffix == ".jsonl":
        yield from _jsonl_file(path)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield Failure(str(path), err.strerror or str(err))
        return
    yield from from_bytes(path.name, data, where=str(path))


def from_bytes(name: str, data: bytes, where: str | None = None, depth: int = 0,
               meta: dict | None = None) -> Iterator[Item]:
    """The articles of one file given as bytes (an upload, an archive member)."""
    where = where or name
    suffix = PurePosixPath(name).suffix.lower()
    stem = PurePosixPath(name).stem
    if suffix not in SUFFIXES:
        yield Failure(where, f"unsupported file type {suffix or '(none)'!r}; expected one of {' '.join(SUFFIXES)}")
        return
    limit = MAX_BYTES if suffix in TEXT_SUFFIXES + HTML_SUFFIXES else MAX_CONTAINER_BYTES
    if len(data) > limit:
        yield Failure(where, f"file is {len(data)} bytes, over the {limit}-byte limit")
        return
    try:
        if suffix == ".zip":
            yield from _zip(data, where, depth)
            return
        text, encoding = decode(data, where)
        if suffix in TEXT_SUFFIXES + HTML_SUFFIXES:
            meta = meta or {}
            title, page_date = meta.get("title"), None
            if suffix in HTML_SUFFIXES:
                text, html_title, page_date = html_to_text(text, where)
                title = title or html_title
            published = parse_published(meta.get("published"), where) or page_date
            yield Source(name=stem, path=where, text=text, published=published, url=meta.get("url"),
                         title=title, encoding=encoding)
        elif suffix == ".jsonl":
            yield from _jsonl_lines(text.split("\n"), where, stem, encoding)
        elif suffix == ".json":
            yield from _json(text, where, stem, encoding)
        else:
            yield from _csv(text, where, stem, encoding)
    except ReadError as err:
        yield Failure(err.path, err.reason)


def record_source(obj, where: str, default_name: str, encoding: str | None) -> Source:
    """One JSON object or CSV row (`text`, optional `title`, `url`, `published`, `id`) as a Source."""
    if not isinstance(obj, dict):
        raise ReadError(where, f"expected an object with a 'text' field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ReadError(where, "no 'text' field" if text is None else "'text' must be a string")
    if not text.strip():
        raise ReadError(where, "'text' is empty")
    for key in ("title", "url", "id", "name"):
        if obj.get(key) is not None and not isinstance(obj[key], (str, int)):
            raise ReadError(where, f"'{key}' must be a string")
    name = str(obj.get("name") or obj.get("id") or default_name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title, url = obj.get("title"), obj.get("url")
    return Source(name=name, path=where, text=text, published=parse_published(obj.get("published"), where),
                  url=str(url) if url else None, title=str(title) if title else None, encoding=encoding)


def _jsonl_file(path: Path) -> Iterator[Item]:
    # Streamed line by line: a large JSON Lines file never sits in memory whole.  The encoding is
    # detected on the head, cut at a line end so that a multi-byte character is never split.
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
        if head[:3] != b"\xef\xbb\xbf" and head[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\n" in head:
            head = head[:head.rfind(b"\n") + 1]
        _, encoding = decode(head, path)
    except ReadError as err:
        yield Failure(err.path, err.reason)
        return
    except OSError as err:
        yield Failure(str(path), err.strerror or str(err))
        return
    with path.open("r", encoding=encoding, errors="strict", newline="") as fh:
        try:
            yield from _jsonl_lines(fh, str(path), path.stem, encoding)
        except UnicodeDecodeError as err:
            yield Failure(str(path), f"not valid {encoding} past the lines read; the rest is skipped ({err.reason})")


def _jsonl_lines(lines, where: str, stem: str, encoding: str | None) -> Iterator[Item]:
    for n, line in enumerate(lines, 1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        at = f"{where}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Failure(at, f"line is not valid JSON: {err.msg} at column {err.colno}")
            continue
        try:
            yield record_source(obj, at, f"{stem}-{n}", encoding)
        except ReadError as err:
            yield Failure(err.path, err.reason)


def _json(text: str, where: str, stem: str, encoding: str | None) -> Iterator[Item]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        yield Failure(where, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}")
        return
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        at, default = (f"{where}[{i}]", f"{stem}-{i + 1}") if isinstance(data, list) else (where, stem)
        try:
            yield record_source(obj, at, default, encoding)
        except ReadError as err:
            yield Failure(err.path, err.reason)


def _csv(text: str, where: str, stem: str, encoding: str | None) -> Iterator[Item]:
    csv.field_size_limit(MAX_BYTES)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise ReadError(where, f"not a CSV file with a header row ({err or 'no rows'})") from None
    columns = [h.strip().lower() for h in header]
    if "text" not in columns:
        raise ReadError(where, f"CSV has no 'text' column (columns: {', '.join(header) or 'none'})")
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Failure(f"{where}:row {n + 1}", f"bad CSV row: {err}")
            return
        n += 1
        if not any(cell.strip() for cell in row):
            continue
        record = {k: (v if v != "" else None) for k, v in zip(columns, row)}
        try:
            yield record_source(record, f"{where}:row {n}", f"{stem}-{n - 1}", encoding)
        except ReadError as err:
            yield Failure(err.path, err.reason)


def _zip(data: bytes, where: str, depth: int) -> Iterator[Item]:
    if depth >= MAX_ZIP_DEPTH:
        yield Failure(where, f"archive nested deeper than {MAX_ZIP_DEPTH} levels")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as err:
        yield Failure(where, f"not a valid zip archive ({err})")
        return
    names = {m.filename for m in members}
    total = 0
    for m in sorted(members, key=lambda m: m.filename):
        inner = PurePosixPath(m.filename)
        at = f"{where}!{m.filename}"
        if (inner.name.startswith(".") or "__MACOSX" in inner.parts or is_sidecar(inner.name)
                or inner.suffix.lower() not in SUFFIXES):
            continue
        total += m.file_size
        limit = MAX_BYTES if inner.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES else MAX_CONTAINER_BYTES
        if m.file_size > limit:
            yield Failure(at, f"member is {m.file_size} bytes, over the {limit}-byte limit")
            continue
        if total > MAX_ZIP_TOTAL:
            yield Failure(where, f"archive expands past {MAX_ZIP_TOTAL} bytes; remaining members skipped")
            return
        try:
            payload = archive.read(m)
            meta_name = str(inner.with_name(inner.stem + META_SUFFIX))
            meta = json.loads(archive.read(meta_name).decode("utf-8")) if meta_name in names else None
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as err:
            yield Failure(at, f"cannot read archive member ({err})")
            continue
        if meta is not None and not isinstance(meta, dict):
            yield Failure(at, f"{meta_name} must hold a JSON object")
            continue
        yield from from_bytes(m.filename, payload, where=at, depth=depth + 1, meta=meta)
