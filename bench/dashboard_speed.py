"""Dashboard speed on a generated store of 1,000,000 claims, measured with AppTest.

    python bench/dashboard_speed.py [--claims 1000000] [--keep]

Budgets (issue 5): each page's script run <= 1.5 s, a filter change <= 300 ms, the app process
<= 1.5 GB.  The same runs on the 11-claim test fixture store give the baseline the ratios use.
The big store is written once to bench/out/ (git-ignored) and reused while its size matches.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "bench" / "out"
PAGES = ("views/overview.py", "views/map.py", "views/timeline.py", "views/claims.py", "views/sources.py",
         "views/export.py")
BUDGET_PAGE, BUDGET_FILTER, BUDGET_RSS_MB = 1.5, 0.3, 1536
CLAIMS_PER_DOC = 50
INDICATORS = [f"{a}{b}" for a in ("地区生产总值", "固定资产投资", "社会消费品零售总额", "规模以上工业增加值",
                                   "进出口总额", "一般公共预算收入", "城镇居民人均可支配收入", "实际使用外资",
                                   "粮食产量", "新增就业")
              for b in ("", "（全市）", "（全区）", "（一季度）", "（上半年）")]
SECTORS = ("macro", "investment", "consumption", "industry", "trade", "fiscal", "macro", "investment",
           "agriculture", "employment")
KINDS = ("level", "pct_change", "count", "share", "pp_change", "target")
UNITS = {"level": "元", "pct_change": "%", "count": "个", "share": "%", "pp_change": "个百分点", "target": "元"}


def generate(path: Path, n_claims: int, seed: int = 5) -> None:
    """Write a store of `n_claims` invented claims over real admin areas through data.store."""
    from data import store
    from geo import gazetteer
    from indicators.reader import Source

    rng = random.Random(seed)
    areas = [(code, gazetteer.place(code), ll) for code, ll in sorted(gazetteer.centroids().items())]
    areas = [(code, p, ll) for code, p, ll in areas if p["level"] in ("province", "city", "county")]
    con = store.connect(path)
    docs, batch = n_claims // CLAIMS_PER_DOC, []
    start = date(2016, 1, 1)
    for d in range(docs):
        published = start + timedelta(days=rng.randrange(3650))
        parts, claims, pos = [], [], 0
        for _ in range(CLAIMS_PER_DOC):
            code, place, (lat, lon) = rng.choice(areas)
            k = rng.randrange(len(INDICATORS))
            kind = KINDS[rng.randrange(len(KINDS))]
            value = round(rng.uniform(0.1, 12), 1) if UNITS[kind] != "元" else float(rng.randrange(1, 9000)) * 1e8
            quote = f"{value:g}{UNITS[kind]}" if UNITS[kind] != "元" else f"{value / 1e8:g}亿元"
            year = published.year - rng.randrange(2)
            period = str(year) if rng.random() < 0.6 else f"{year}-{rng.randrange(1, 13):02d}"
            sentence = f"{place['full_name']}{INDICATORS[k]}{quote}。"
            q_start = pos + len(place["full_name"]) + len(INDICATORS[k])
            claims.append((quote, q_start, q_start + len(quote), 1, value, UNITS[kind], kind, "exact",
                           "up" if kind == "pct_change" else None, None, None, None, INDICATORS[k],
                           SECTORS[k // 5], period, place["full_name"], gazetteer.place(place["province"])["name"],
                           code, place["level"], lat, lon, sentence))
            parts.append(sentence)
            pos += len(sentence)
        text = "".join(parts)
        batch.append((Source(name=f"gen_{d:06d}", path=f"generated/{d:06d}.txt", text=text,
                             published=published, url=f"https://example.org/{d}", title=f"生成文档 {d}"),
                      claims))
        if len(batch) == 1000:
            store.write_documents(con, _ordered(batch))
            batch = []
    if batch:
        store.write_documents(con, _ordered(batch))
    con.execute("CHECKPOINT")
    con.close()


def _ordered(batch):
    # write_documents takes claim tuples in the store's CLAIM_FIELDS order.
    from data.store import CLAIM_FIELDS

    order = ("quote", "start", "end", "occurrence", "value", "unit", "kind", "approx", "direction",
             "value_high", "value_canonical", "unit_canonical", "indicator", "sector", "period", "place",
             "province", "adcode", "place_level", "lat", "lon", "sentence")
    at = {f: i for i, f in enumerate(order)}
    return [(src, [tuple(c[at[f]] for f in CLAIM_FIELDS) for c in claims]) for src, claims in batch]


def measure(db: Path) -> dict:
    """Page runs and filter changes with AppTest against `db`; seconds, and peak RSS in MB."""
    os.environ["ATLAS_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    out = {"pages": {}, "pages_warm": {}, "filters": {}}
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    out["first_start"] = time.perf_counter() - t0
    for page in PAGES:
        t0 = time.perf_counter()
        at.switch_page(page).run()
        out["pages"][page] = time.perf_counter() - t0
        assert not at.exception, (page, [e.value for e in at.exception])
    for page in PAGES:
        at.switch_page(page).run()
        t0 = time.perf_counter()
        at.run()
        out["pages_warm"][page] = time.perf_counter() - t0
    provinces = [o for o in at.selectbox(key="f_prov").options[1:3]]
    changes = [("province", lambda: at.selectbox(key="f_prov").set_value(_code(at, provinces[0]))),
               ("sector", lambda: at.multiselect(key="f_sector").set_value(["investment"])),
               ("kind", lambda: at.multiselect(key="f_kind").set_value(["pct_change"])),
               ("indicator search", lambda: at.text_input(key="f_ind").set_value("投资")),
               ("period from", lambda: at.selectbox(key="f_pfrom").set_value(int(at.selectbox(key="f_pfrom").options[-1]))),
               ("full-text search", lambda: at.text_input(key="f_q").set_value("上半年"))]
    for page in ("views/overview.py", "views/claims.py", "views/map.py"):
        at.switch_page(page).run()
        for name, change in changes:
            change()
            t0 = time.perf_counter()
            at.run()
            out["filters"][f"{page} · {name}"] = time.perf_counter() - t0
            assert not at.exception, (page, name, [e.value for e in at.exception])
        for key in ("f_sector", "f_kind"):
            at.multiselect(key=key).set_value([])
        for key in ("f_ind", "f_q"):
            at.text_input(key=key).set_value("")
        at.selectbox(key="f_pfrom").set_value(None)
        at.selectbox(key="f_prov").set_value(None)
        at.run()
    out["rss_mb"] = _peak_rss_mb()
    return out


def _peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork+exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _code(at, label: str) -> str:
    from ui import places

    return next(code for code, name in places.options(None).items() if name == label)


def _run_measure(db: Path) -> dict:
    # A fresh process per store: the memory figure is the app's, not the generator's.
    res = subprocess.run([sys.executable, __file__, "--measure", str(db)], capture_output=True, text=True,
                         cwd=REPO)
    if res.returncode:
        raise SystemExit(f"measuring {db} failed:\n{res.stderr[-4000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import build_store

    small = OUT / "fixture.duckdb"
    for p in OUT.glob("fixture.duckdb*"):
        p.unlink()
    build_store(small)
    big = OUT / f"claims_{args.claims}.duckdb"
    if not big.exists():
        t0 = time.perf_counter()
        generate(big, args.claims)
        print(f"generated {args.claims:,} claims in {time.perf_counter() - t0:.1f} s -> {big}")
    base, res = _run_measure(small), _run_measure(big)

    ok = True
    print(f"\n{'':44} {'1M store':>9} {'fixture':>9} {'ratio':>7}  budget")
    for group, budget in (("pages", BUDGET_PAGE), ("pages_warm", BUDGET_PAGE), ("filters", BUDGET_FILTER)):
        print(f"-- {group} (s)")
        for name, secs in res[group].items():
            ratio = secs / max(base[group][name], 1e-6)
            flag = "ok" if secs <= budget else "OVER"
            ok &= secs <= budget
            print(f"  {name:42} {secs:9.3f} {base[group][name]:9.3f} {ratio:7.1f}  <= {budget} {flag}")
    print(f"first start (connect, caches cold): {res['first_start']:.2f} s (fixture {base['first_start']:.2f} s)")
    flag = "ok" if res["rss_mb"] <= BUDGET_RSS_MB else "OVER"
    ok &= res["rss_mb"] <= BUDGET_RSS_MB
    print(f"peak RSS of the app process: {res['rss_mb']:.0f} MB (fixture {base['rss_mb']:.0f} MB) "
          f"<= {BUDGET_RSS_MB} MB {flag}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
