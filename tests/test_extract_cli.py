"""`python -m indicators extract` end to end, in a subprocess, on article files written here.

Each run loads jieba and the gazetteer (seconds), so a few module-wide runs over one tree of
files serve most tests."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.claim import FIELDS

REPO = Path(__file__).resolve().parents[1]

# Invented sentences (no third-party text).
INVEST = "今年前三季度，全市固定资产投资增长5.2%，其中工业投资完成1640亿元。"
GRAIN = "黑龙江粮食总产1640亿斤，实现二十二连丰。"
TRADE = "全省进出口总额9.11万亿元，同比增长9.8%。\r\n新增外贸企业420家。\r\n"
HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>全省经济运行情况</title></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/about">关于我们</a></nav>
<article><h1>全省经济运行情况</h1>
<p>今年上半年，全省地区生产总值达到2.35万亿元，同比增长5.6%，增速比一季度加快0.3个百分点。</p>
<p>全省规模以上工业增加值增长7.1%，新增规模以上工业企业860家，工业用电量达到1520亿千瓦时。</p>
<p>社会消费品零售总额完成9876亿元，增长4.2%；全省居民人均可支配收入达到21560元。</p>
</article>
<footer>版权所有 联系电话 0451-12345678 备案号 12345</footer></body></html>
"""


def run(*args: str) -> subprocess.CompletedProcess:
    """The CLI, from the repository root, with its output decoded."""
    return subprocess.run([sys.executable, "-m", "indicators", "extract", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


ENCODED = (INVEST + "\n" + TRADE + GRAIN) * 2
ENCODINGS = {"g_gb18030": "gb18030", "h_utf16": "utf-16", "i_utf8sig": "utf-8-sig", "j_ref": "utf-8"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A folder of good article files in every supported form."""
    root = tmp_path_factory.mktemp("docs")
    write(root / "b_trade.txt", "前言\r\n" + TRADE + "\r" + INVEST)
    write(root / "a_grain.txt", GRAIN)
    write(root / "a_grain.meta.json", json.dumps({"published": "2025-01-05"}))
    write(root / "sub" / "c_note.md", "# 粮食生产\n\n- " + GRAIN + "\n- **" + INVEST + "**\n")
    write(root / "sub" / "deeper" / "d_page.html", HTML)
    write(root / "sub" / "ignored.csv", "年份,产量\n2024,1640\n")
    write(root / "e_invest.txt", INVEST)
    write(root / "e_invest.meta.json", json.dumps({"published": "2025-10-20", "url": "https://example.org/x"}))
    write(root / "f_nodate.txt", INVEST)
    for stem, encoding in ENCODINGS.items():
        write(root / "enc" / f"{stem}.txt", ENCODED, encoding)
    return root


@pytest.fixture(scope="module")
def runs(tree) -> dict[str, subprocess.CompletedProcess]:
    """The CLI over the tree in each output format."""
    return {fmt: run(tree, "--format", fmt) for fmt in ("jsonl", "csv", "table")}


@pytest.fixture(scope="module")
def rows(runs) -> list[dict]:
    return jsonl(runs["jsonl"].stdout)


def of(rows, doc):
    return [r for r in rows if r["doc"] == doc]


def test_all_good_exits_zero_quietly(runs):
    for result in runs.values():
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""


def test_jsonl_has_every_claim_field(rows):
    assert rows
    for row in rows:
        assert list(row) == list(FIELDS)
    first = of(rows, "a_grain")[0]
    assert (first["quote"], first["value"], first["unit"], first["kind"]) == ("1640亿斤", 1.64e11, "斤", "level")
    assert first["value_canonical"] == pytest.approx(8.2e10) and first["unit_canonical"] == "kg"
    assert first["sentence"] and first["quote"] in first["sentence"]


def test_folder_read_recursively_in_sorted_order(rows, tree):
    docs = []
    for row in rows:
        if not docs or docs[-1] != row["doc"]:
            docs.append(row["doc"])
    expected = [p.stem for p in sorted(tree.rglob("*")) if p.suffix in (".txt", ".md", ".html")]
    assert expected[:3] == ["a_grain", "b_trade", "e_invest"]
    assert docs == expected


def test_offsets_index_the_decoded_text(rows, tree):
    files = {p.stem: p for p in tree.rglob("*.txt")} | {p.stem: p for p in tree.rglob("*.md")}
    checked = 0
    for row in rows:
        if row["doc"] not in files:
            continue
        encoding = ENCODINGS.get(row["doc"], "utf-8")
        # Universal newlines, as Python's text mode reads the file.
        text = files[row["doc"]].read_text(encoding="utf-16" if encoding == "utf-16" else encoding)
        assert text[row["start"]:row["end"]] == row["quote"], row
        assert text[:row["start"]].count(row["quote"]) + 1 == row["occurrence"], row
        checked += 1
    assert checked >= 20
    crlf = of(rows, "b_trade")
    assert len(crlf) >= 4 and {"9.11万亿元", "420家", "5.2%"} <= {r["quote"] for r in crlf}


def test_markdown_file(rows):
    quotes = [r["quote"] for r in of(rows, "c_note")]
    assert "1640亿斤" in quotes and "5.2%" in quotes


def test_html_main_text(rows):
    page = of(rows, "d_page")
    quotes = [r["quote"] for r in page]
    for quote in ("2.35万亿元", "5.6%", "860家", "1520亿千瓦时", "21560元"):
        assert quote in quotes, quotes
    assert not any("12345" in q or "0451" in q for q in quotes), "navigation and footer are not main text"


def test_meta_json_dates_relative_periods(rows):
    assert [r["period"] for r in of(rows, "e_invest") if r["quote"] == "5.2%"] == ["2025-01/2025-09"]


def test_no_date_leaves_relative_period_unknown(rows):
    assert [r["period"] for r in of(rows, "f_nodate") if r["quote"] == "5.2%"] == [None]


def test_published_option_overrides_meta(tree):
    result = run(tree / "e_invest.txt", "--published", "2023-11-02")
    assert result.returncode == 0, result.stderr
    assert [r["period"] for r in jsonl(result.stdout) if r["quote"] == "5.2%"] == ["2023-01/2023-09"]


@pytest.mark.parametrize("stem", ["g_gb18030", "h_utf16", "i_utf8sig"])
def test_other_encodings_decode(rows, stem):
    strip = ("doc",)
    mine = [{k: v for k, v in r.items() if k not in strip} for r in of(rows, stem)]
    reference = [{k: v for k, v in r.items() if k not in strip} for r in of(rows, "j_ref")]
    assert len(reference) >= 8
    assert mine == reference


def test_csv_format(runs, rows):
    reader = csv.DictReader(io.StringIO(runs["csv"].stdout))
    assert tuple(reader.fieldnames) == FIELDS
    got = list(reader)
    assert [(r["doc"], r["quote"], r["start"]) for r in got] == [(r["doc"], r["quote"], str(r["start"])) for r in rows]
    assert float(got[0]["value"]) == rows[0]["value"]


def test_table_format(runs, rows):
    lines = runs["table"].stdout.splitlines()
    header = lines[0].split("\t")
    assert {"doc", "quote", "value", "unit", "kind"} <= set(header)
    body = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    assert [(b["doc"], b["quote"]) for b in body] == [(r["doc"], r["quote"]) for r in rows]


def test_table_with_no_claims_still_has_header(tmp_path):
    result = run(write(tmp_path / "plain.txt", "今天天气很好，我们去公园散步。"), "--format", "table")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# Bad files: one stderr line each, naming the file and why; the rest still processed; status 1.

BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "blank.md": (b" \n\r\n\t \n", "empty"),
    "binary.txt": (b"\x00\x01\x02\x03PK\x00\x00" * 64, "binary"),
    "garbage.txt": (bytes(range(0x80, 0x100)) * 8 + b"\x00\xff\xfe\xfd", "binary"),
    # Invalid in UTF-8, GB18030, Big5 and UTF-16 alike; no NUL bytes.
    "undecodable.txt": (bytes([0x80, 0xFF, 0xFE, 0x81, 0x9F, 0xC0, 0xC1, 0xF5]) * 30, "encoding"),
}
BAD_META = {
    "m_cut": ('{"published": ', "json"),
    "m_list": ('["2025-01-01"]', "object"),
    "m_date": ('{"published": "yesterday"}', "yesterday"),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    write(root / "a_good.txt", GRAIN)
    write(root / "z_good.md", INVEST)
    for name, (data, _) in BAD_FILES.items():
        (root / name).write_bytes(data)
    for stem, (meta, _) in BAD_META.items():
        write(root / f"{stem}.txt", INVEST)
        write(root / f"{stem}.meta.json", meta)
    return run(root, root / "nope.txt")


def test_bad_files_exit_one(bad_run):
    assert bad_run.returncode == 1


def test_one_line_per_bad_file(bad_run):
    lines = bad_run.stderr.splitlines()
    assert len(lines) == len(BAD_FILES) + len(BAD_META) + 1, bad_run.stderr


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_named_with_reason(bad_run, name):
    mine = [line for line in bad_run.stderr.splitlines() if name in line]
    assert len(mine) == 1, bad_run.stderr
    assert BAD_FILES[name][1] in mine[0].lower(), mine[0]


@pytest.mark.parametrize("stem", sorted(BAD_META))
def test_malformed_meta_named_with_reason(bad_run, stem):
    mine = [line for line in bad_run.stderr.splitlines() if f"{stem}.meta.json" in line]
    assert len(mine) == 1, bad_run.stderr
    assert BAD_META[stem][1] in mine[0].lower(), mine[0]


def test_missing_path_named(bad_run):
    assert sum("nope.txt" in line for line in bad_run.stderr.splitlines()) == 1


def test_good_files_still_processed(bad_run):
    docs = []
    for row in jsonl(bad_run.stdout):
        if not docs or docs[-1] != row["doc"]:
            docs.append(row["doc"])
    assert docs == ["a_good", "z_good"]


def test_bad_published_argument(tmp_path):
    result = run(write(tmp_path / "a.txt", GRAIN), "--published", "2025/10/01")
    assert result.returncode == 2
    assert "2025/10/01" in result.stderr
