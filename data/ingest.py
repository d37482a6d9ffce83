"""Ingestion: inputs -> Sources -> parallel extraction -> one writer -> the store, with a summary."""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Iterable, Iterator

from indicators.reader import Source

from . import store
from .bulk import one_thread
from .readers import Failure, from_bytes, from_path, walk
from .sources import TIMEOUT, from_url, is_url

DEMO_DIR = Path(__file__).with_name("demo")
BATCH = 500            # documents per write transaction (and per extraction hand-off)
SERIAL_BELOW = 64      # fewer documents than this are extracted in-process: a pool costs more
DASK_TIMEOUT = 10.0    # seconds to reach a dask scheduler


@dataclass
class Summary:
    """What one run did: documents ingested, skipped as duplicates, re-extracted, failed."""

    ingested: int = 0
    duplicate: int = 0
    reextracted: int = 0
    failed: int = 0
    claims: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, name: str, reason: str) -> None:
        """Record one bad input item."""
        self.failed += 1
        self.errors.append((name, reason))

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return self.failed == 0

    def __str__(self) -> str:
        parts = [f"{self.ingested} ingested", f"{self.duplicate} skipped as duplicate"]
        if self.reextracted:
            parts.append(f"{self.reextracted} re-extracted")
        parts += [f"{self.failed} failed", f"{self.claims} claims written"]
        return ", ".join(parts)


def iter_inputs(inputs: Iterable, timeout: float = TIMEOUT) -> Iterator[Source | Failure]:
    """Every article of the given paths, folders and URLs, with a Failure for each bad item."""
    for item in inputs:
        text = str(item)
        if is_url(text):
            yield from from_url(text, timeout)
            continue
        path = Path(item)
        if path.is_dir():
            files = walk(path)
            if not files:
                yield Failure(text, "folder holds no ingestible files")
            for f in files:
                yield from from_path(f)
        elif path.exists():
            yield from from_path(path)
        else:
            yield Failure(text, "no such file, folder or URL")


def extract_batch(tasks: list[tuple]) -> list[tuple[bool, object, bytes | None]]:
    """Extract claims for (text, published, name) tasks: (True, claim tuples, near-duplicate signature)
    or (False, error, None) each."""
    from .worker import extract_batch as run_batch  # loads the extractor's data on first use

    return run_batch(tasks)


class _Serial:
    def submit(self, tasks):
        return extract_batch(tasks)

    def result(self, handle):
        return handle

    def close(self):
        pass


class _Pool:
    def __init__(self, workers: int):
        import multiprocessing as mp

        # forkserver: workers never inherit the writer's DuckDB threads; they fork from a clean
        # server that has loaded the extractor and its data once (data.worker warms it on import).
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["data.worker"])
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, mp_context=ctx)
        self.broken = False

    def submit(self, tasks):
        size = max(1, len(tasks) // (self.workers * 4))
        parts = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        if not self.broken:
            try:
                return parts, [self.pool.submit(extract_batch, part) for part in parts]
            except BrokenProcessPool as err:
                self._fall_back(err)
        return parts, None

    def result(self, handle):
        parts, futures = handle
        if futures is not None:
            try:
                return [r for f in futures for r in f.result()]
            except BrokenProcessPool as err:
                self._fall_back(err)
        return [r for part in parts for r in extract_batch(part)]

    def _fall_back(self, err) -> None:
        # E.g. a main module the workers cannot import (code piped to python's stdin): go on serially.
        if not self.broken:
            print(f"warning: parallel extraction unavailable ({err}); extracting in this process",
                  file=sys.stderr)
        self.broken = True

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, scheduler: str | None):
        from distributed import Client

        if not scheduler:
            raise ValueError("--engine dask needs --scheduler tcp://HOST:PORT (a running dask scheduler)")
        try:
            self.client = Client(scheduler, set_as_default=False, timeout=DASK_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise ValueError(f"cannot reach the dask scheduler at {scheduler} within {DASK_TIMEOUT:g} s "
                             f"({type(err).__name__}: {err})") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, tasks):
        size = max(1, len(tasks) // (self.workers * 4))
        parts = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        return self.client.map(extract_batch, parts, pure=False)

    def result(self, handle):
        return [r for part in self.client.gather(handle) for r in part]

    def close(self):
        self.client.close()


def _engine(engine: str, workers: int | None, scheduler: str | None, expected: int | None):
    if engine == "dask":
        return _Dask(scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; use local or dask")
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or (expected is not None and expected < SERIAL_BELOW):
        return _Serial()
    return _Pool(workers)


def _batches(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(items, size)):
        yield batch


def _progress(enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(desc=desc, unit=" doc", disable=not enabled, file=sys.stderr, mininterval=0.5,
                dynamic_ncols=True)


def run(items: Iterator[Source | Failure], db=None, workers: int | None = None, engine: str = "local",
        scheduler: str | None = None, force: bool = False, progress: bool = True, batch: int = BATCH,
        lock_timeout: float | None = None, con=None, desc: str = "ingest") -> Summary:
    """Extract and store a stream of Sources; Failures in it are counted; one batch = one transaction."""
    summary = Summary()
    first = list(islice(items, batch))
    expected = len(first) if len(first) < batch else None
    executor = _engine(engine, workers, scheduler, expected)  # before DuckDB starts its threads
    own = con is None
    try:
        if own:
            con = store.connect(db, lock_timeout=lock_timeout)
            with one_thread(con):  # a connection of its own: the run is a bulk writer
                _run(chain(first, items), con, executor, summary, force, progress, batch, desc)
        else:
            _run(chain(first, items), con, executor, summary, force, progress, batch, desc)
    finally:
        executor.close()
        if own and con is not None:
            con.close()
    return summary


def _run(items: Iterator, con, executor, summary: Summary, force: bool, progress: bool, batch: int,
         desc: str) -> None:
    bar = _progress(progress, desc)
    seen: set[str] = set()
    pending = None
    # While batch i is extracted, batch i+1 is read and batch i-1 written.
    for raw in _batches(items, batch):
        docs = _fresh(con, raw, seen, force, summary, bar)
        if not docs:
            continue
        handle = executor.submit([(s.text, s.published, s.name) for s, _ in docs])
        if pending is not None:
            _write(con, *pending, executor, summary, force, bar)
        pending = (docs, handle)
    if pending is not None:
        _write(con, *pending, executor, summary, force, bar)
    bar.close()


def _fresh(con, raw: list, seen: set, force: bool, summary: Summary, bar) -> list[tuple[Source, str]]:
    """The batch's Sources not seen in this run nor stored (unless force), with their ids."""
    docs = []
    for it in raw:
        if isinstance(it, Failure):
            summary.fail(it.name, it.reason)
            continue
        did = store.doc_id(it.text)
        if did in seen:
            summary.duplicate += 1
            continue
        seen.add(did)
        docs.append((it, did))
    if not force and docs:
        stored = store.stored_among(con, [did for _, did in docs])
        if stored:
            summary.duplicate += sum(did in stored for _, did in docs)
            docs = [d for d in docs if d[1] not in stored]
    bar.update(len(raw) - len(docs))
    return docs


def _write(con, docs, handle, executor, summary: Summary, force: bool, bar) -> None:
    results = executor.result(handle)
    rows, signatures = [], {}
    for (source, did), (ok, claims, sig) in zip(docs, results):
        if ok:
            rows.append((source, claims, did))
            if sig is not None:
                signatures[did] = sig
        else:
            summary.fail(source.path, claims)
    written = store.write_documents(con, rows, replace=force, signatures=signatures)
    for (_, claims, _), status in zip(rows, written):
        if status is None:
            summary.duplicate += 1  # another ingest stored the same text meanwhile
            continue
        summary.claims += len(claims)
        if status == "replaced":
            summary.reextracted += 1
        else:
            summary.ingested += 1
    bar.update(len(docs))
    bar.set_postfix(claims=summary.claims, failed=summary.failed, refresh=False)


def ingest(paths_or_urls, db=None, workers: int | None = None, engine: str = "local", force: bool = False,
           progress: bool = True, scheduler: str | None = None, batch: int = BATCH,
           lock_timeout: float | None = None, timeout: float = TIMEOUT) -> Summary:
    """Ingest files, folders, archives and http(s) URLs or feeds into the store."""
    return run(iter_inputs(paths_or_urls, timeout), db=db, workers=workers, engine=engine,
               scheduler=scheduler, force=force, progress=progress, batch=batch, lock_timeout=lock_timeout)


def ingest_bytes(items: list[tuple[str, bytes]], db=None, con=None, force: bool = False) -> Summary:
    """Ingest uploaded files given as (filename, bytes), e.g. from the dashboard's uploader."""
    def sources():
        for name, data in items:
            yield from from_bytes(name, data)

    return run(sources(), db=db, workers=1, progress=False, con=con, force=force)


def ensure_demo(db=None, con=None) -> Summary | None:
    """Ingest the bundled demo corpus when the store holds no documents; None if it already has some."""
    own = con is None
    con = con if con is not None else store.connect(db)
    try:
        if store.count(con, "documents"):
            return None
        return run(iter_inputs([DEMO_DIR]), workers=1, progress=False, con=con)
    finally:
        if own:
            con.close()


def reextract(db=None, workers: int | None = None, engine: str = "local", scheduler: str | None = None,
              everything: bool = False, progress: bool = True, batch: int = BATCH,
              lock_timeout: float | None = None) -> Summary:
    """Re-run the extractor over stored documents read by another version (all with `everything`)."""
    from indicators import EXTRACTOR_VERSION

    con = store.connect(db, lock_timeout=lock_timeout)
    try:
        ids = store.doc_ids_to_extract(con, None if everything else EXTRACTOR_VERSION)

        def sources():
            for chunk in _batches(iter(ids), batch):
                yield from store.load_sources(con, chunk)

        summary = run(sources(), workers=workers, engine=engine, scheduler=scheduler, force=True,
                      progress=progress, batch=batch, con=con, desc="reextract")
    finally:
        con.close()
    return summary
