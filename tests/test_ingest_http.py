"""URL and RSS/Atom ingestion against a local http.server on 127.0.0.1 (never the internet)."""
import socket
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from data import ingest as ing
from data import sources, store

BODY = ("杭州市今年一季度数字经济核心产业增加值同比增长9.1%，高于全市经济增速2.3个百分点。"
        "全市新增规模以上工业企业120家，完成工业投资410亿元。")


def page(title: str, body: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><header>导航 | 首页</header>"
            f"<article><h1>{title}</h1><p>{body}</p><p>{BODY}</p></article><footer>版权所有</footer></body></html>")


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>经济新闻</title>
<item><title>第一篇</title><link>{base}/a1.html</link><pubDate>Tue, 03 Mar 2026 08:00:00 +0800</pubDate></item>
<item><title>第二篇</title><link>a2.html</link><pubDate>Wed, 04 Mar 2026 08:00:00 +0800</pubDate></item>
<item><title>失效</title><link>{base}/gone.html</link></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>快讯</title>
<entry><title>第三篇</title><link rel="alternate" href="/a3.html"/><updated>2026-02-01T00:00:00Z</updated></entry>
</feed>"""


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        status, headers, body, delay = route
        time.sleep(delay)
        self.send_response(status)
        streamed = headers.get("Content-Length") == "omit"  # HTTP/1.0: the body ends when the socket closes
        for k, v in headers.items():
            if not (streamed and k == "Content-Length"):
                self.send_header(k, v)
        if "Content-Length" not in headers and body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    html = {"Content-Type": "text/html; charset=utf-8"}
    big = b"x" * (sources.MAX_BYTES + 10)
    Handler.routes = {
        "/page.html": (200, {"Content-Type": "text/html; charset=gb18030"}, page("网页", "网页正文。").encode("gb18030"), 0),
        "/wrong-charset.html": (200, {"Content-Type": "text/html; charset=iso-8859-1"},
                                page("错标", "编码声明有误。").encode("utf-8"), 0),
        "/plain.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, ("纯文本。" + BODY).encode(), 0),
        "/a1.html": (200, html, page("第一篇", "一").encode(), 0),
        "/a2.html": (200, html, page("第二篇", "二").encode(), 0),
        "/a3.html": (200, html, page("第三篇", "三").encode(), 0),
        "/feed.rss": (200, {"Content-Type": "application/rss+xml"}, RSS.format(base=base).encode(), 0),
        "/atom.xml": (200, {"Content-Type": "application/xml"}, ATOM.encode(), 0),
        "/moved": (302, {"Location": "/page.html"}, b"", 0),
        "/loop": (302, {"Location": "/loop"}, b"", 0),
        "/ftp": (302, {"Location": "ftp://127.0.0.1/x"}, b"", 0),
        "/big.txt": (200, {"Content-Type": "text/plain"}, big, 0),
        "/big-stream.txt": (200, {"Content-Type": "text/plain", "Content-Length": "omit"}, big, 0),
        "/slow.html": (200, html, page("慢", "慢").encode(), 3),
        "/error": (500, html, b"oops", 0),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, 0),
        "/bare-feed": (200, {"Content-Type": "text/xml"}, ATOM.split("?>", 1)[1].encode(), 0),
        "/bad-feed.xml": (200, {"Content-Type": "application/rss+xml"}, b"<rss><channel><item>", 0),
    }
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield base
    srv.shutdown()
    srv.server_close()


def stored(db):
    con = store.connect(db, read_only=True)
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT source, name, title, published, url, text FROM documents").fetchall()}
    finally:
        con.close()


def test_pages_plain_text_and_redirects(server, tmp_path):
    db = tmp_path / "s.duckdb"
    summary = ing.ingest([f"{server}/page.html", f"{server}/plain.txt", f"{server}/wrong-charset.html"],
                         db=db, progress=False)
    assert (summary.ingested, summary.failed) == (3, 0), summary.errors
    docs = stored(db)
    name, title, _, url, text = docs[f"{server}/page.html"]
    assert (name, title, url) == ("page", "网页", f"{server}/page.html")
    assert "网页正文" in text and BODY in text
    assert docs[f"{server}/plain.txt"][4] == "纯文本。" + BODY
    assert "编码声明有误" in docs[f"{server}/wrong-charset.html"][4]
    # A redirect to a page already stored lands on the same text: a duplicate, not a new document.
    again = ing.ingest([f"{server}/moved"], db=db, progress=False)
    assert (again.ingested, again.duplicate, again.failed) == (0, 1, 0)


def test_rss_and_atom_feeds_fetch_each_linked_article(server, tmp_path):
    db = tmp_path / "s.duckdb"
    summary = ing.ingest([f"{server}/feed.rss", f"{server}/atom.xml", f"{server}/bare-feed"], db=db,
                         progress=False)
    assert (summary.ingested, summary.duplicate, summary.failed) == (3, 1, 1)  # bare-feed lists a3 again
    assert summary.errors == [(f"{server}/gone.html", "HTTP 404 Not Found")]
    docs = stored(db)
    assert docs[f"{server}/a1.html"][1:3] == ("第一篇", date(2026, 3, 3))
    assert docs[f"{server}/a2.html"][1:3] == ("第二篇", date(2026, 3, 4))  # relative link resolved
    assert docs[f"{server}/a3.html"][1:3] == ("第三篇", date(2026, 2, 1))


def test_dead_and_bad_urls_are_reported_and_skipped(server, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    db = tmp_path / "s.duckdb"
    urls = {f"{server}/nowhere": "HTTP 404", f"{server}/error": "HTTP 500",
            f"{server}/loop": "too many redirects", f"{server}/ftp": "non-http address",
            f"{server}/big.txt": "over the", f"{server}/big-stream.txt": "response is over the",
            f"{server}/slow.html": "within 0.5 s",
            f"{server}/image.png": "binary", f"{server}/bad-feed.xml": "not well-formed XML",
            f"http://127.0.0.1:{dead_port}/x": "cannot connect"}
    started = time.monotonic()
    summary = ing.ingest(list(urls) + [f"{server}/plain.txt"], db=db, progress=False, timeout=0.5)
    assert time.monotonic() - started < 10
    reasons = dict(summary.errors)
    assert set(reasons) == set(urls)
    for url, words in urls.items():
        assert words in reasons[url], (url, reasons[url])
    assert (summary.ingested, summary.failed) == (1, len(urls))


def test_parse_feed_handles_rss1_rdf():
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <item><title>T</title><link>http://h/x.html</link><dc:date>2025-12-31</dc:date></item></rdf:RDF>"""
    assert sources.parse_feed(rdf, "http://h/") == [("http://h/x.html", "T", date(2025, 12, 31))]
