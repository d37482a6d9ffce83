"""Fetch http(s) pages and RSS/Atom feeds as article Sources: time, size and redirects bounded."""
from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from indicators.reader import ReadError, Source, decode, html_to_text, parse_published

from .readers import Failure, Item

TIMEOUT = 20.0            # seconds for a whole download
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_FEED_ITEMS = 500
USER_AGENT = "IndicatorAtlas/1.0 (article ingest)"
_CHUNK = 64 * 1024
_FEED_ROOT = re.compile(rb"(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<\?[^>]*>\s*)*<(rss|feed|rdf:rdf)[\s>]",
                        re.S)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_WEAK_CHARSETS = ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252")


class FetchError(Exception):
    """A URL that gave no usable response; the message names the URL and why."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass(frozen=True, slots=True)
class Page:
    """A downloaded response body and what its headers say about it."""

    url: str
    content_type: str
    charset: str | None
    data: bytes


def is_url(text: str) -> bool:
    """True for http:// and https:// addresses."""
    return text.lower().startswith(("http://", "https://"))


class _BoundedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_url(newurl):
            raise FetchError(req.full_url, f"redirect to a non-http address {newurl!r} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Page:
    """Download one URL; FetchError on HTTP errors, timeouts, oversize bodies and redirect loops."""
    if not is_url(url):
        raise FetchError(url, "only http:// and https:// addresses can be fetched")
    opener = urllib.request.build_opener(_BoundedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(url, f"response is {length} bytes, over the {max_bytes}-byte limit")
            chunks, size = [], 0
            while chunk := resp.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"response is over the {max_bytes}-byte limit")
                if time.monotonic() > deadline:
                    raise FetchError(url, f"download took longer than {timeout:g} s")
                chunks.append(chunk)
            return Page(resp.geturl(), resp.headers.get_content_type(), resp.headers.get_content_charset(),
                        b"".join(chunks))
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400:
            raise FetchError(url, f"too many redirects (more than {MAX_REDIRECTS})") from None
        raise FetchError(url, f"HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(url, f"no response within {timeout:g} s") from None
        raise FetchError(url, f"cannot connect: {reason}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(url, f"no response within {timeout:g} s") from None
    except (OSError, ValueError) as err:
        raise FetchError(url, f"download failed: {err}") from None


def from_url(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Iterator[Item]:
    """The article at a URL, or every linked article of an RSS/Atom feed."""
    try:
        page = fetch(url, timeout, max_bytes)
    except FetchError as err:
        yield Failure(err.url, err.reason)
        return
    if is_feed(page):
        yield from _feed_items(page, timeout, max_bytes)
        return
    try:
        yield page_source(page)
    except ReadError as err:
        yield Failure(err.path, err.reason)


def is_feed(page: Page) -> bool:
    """An RSS or Atom document, by content type or by its root element."""
    if "rss" in page.content_type or "atom" in page.content_type:
        return True
    return bool(_FEED_ROOT.match(page.data[:4096].lower()))


def page_source(page: Page, published: date | None = None, title: str | None = None) -> Source:
    """A downloaded page as an article: HTML main text by trafilatura, plain text as is."""
    text, encoding = _decode(page)
    page_date = None
    if page.content_type in ("text/html", "application/xhtml+xml") or text.lstrip()[:1] == "<":
        text, html_title, page_date = html_to_text(text, page.url)
        title = title or html_title
    elif not page.content_type.startswith("text/"):
        raise ReadError(page.url, f"unsupported content type {page.content_type}")
    return Source(name=_name(page.url), path=page.url, text=text, published=published or page_date,
                  url=page.url, title=title, encoding=encoding)


def _decode(page: Page) -> tuple[str, str]:
    data = page.data
    if data.startswith(_BOMS) or b"\x00" in data[:4096] or not data.strip():
        return decode(data, page.url)  # BOMs, UTF-16, binary and empty bodies: the reader's rules
    # Valid UTF-8 is almost never an accident, so it wins over a header that says otherwise; a
    # single-byte header charset (latin-1 & co. decode any bytes) is too weak to trust over detection.
    try:
        return _lf(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    charset = (page.charset or "").lower()
    if charset and charset not in _WEAK_CHARSETS:
        charset = "gb18030" if charset in ("gb2312", "gbk") else charset
        try:
            return _lf(data.decode(charset)), charset
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong header charset is common; detect from the bytes instead
    return decode(data, page.url)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _name(url: str) -> str:
    parts = urlsplit(url)
    stem = PurePosixPath(parts.path).stem
    return stem or parts.netloc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(node, *names):
    for child in node:
        if _local(child.tag) in names:
            return child
    return None


def _feed_date(value: str | None) -> date | None:
    if not value:
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return parse_published(value[:10])
    except ReadError:
        return None


def parse_feed(data: bytes, base: str) -> list[tuple[str, str | None, date | None]]:
    """(link, title, published) of each item of an RSS 2.0, RSS 1.0 or Atom feed."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise ReadError(base, f"feed is not well-formed XML: {err}") from None
    items = []
    for node in root.iter():
        if _local(node.tag) not in ("item", "entry"):
            continue
        link = None
        for child in node:
            if _local(child.tag) != "link":
                continue
            href = child.get("href")
            if href and child.get("rel", "alternate") == "alternate":
                link = href
                break
            if not href and (child.text or "").strip():
                link = child.text.strip()
                break
        title = _child(node, "title")
        when = _child(node, "pubdate", "published", "updated", "date")
        if link:
            items.append((urljoin(base, link), (title.text or "").strip() if title is not None else None,
                          _feed_date(when.text if when is not None else None)))
    return items


def _feed_items(feed: Page, timeout: float, max_bytes: int) -> Iterator[Item]:
    try:
        items = parse_feed(feed.data, feed.url)
    except ReadError as err:
        yield Failure(err.path, err.reason)
        return
    if not items:
        yield Failure(feed.url, "feed lists no items with links")
        return
    if len(items) > MAX_FEED_ITEMS:
        yield Failure(feed.url, f"feed lists {len(items)} items; only the first {MAX_FEED_ITEMS} are read")
        items = items[:MAX_FEED_ITEMS]
    for link, title, published in items:
        try:
            yield page_source(fetch(link, timeout, max_bytes), published, title or None)
        except FetchError as err:
            yield Failure(err.url, err.reason)
        except ReadError as err:
            yield Failure(err.path, err.reason)
