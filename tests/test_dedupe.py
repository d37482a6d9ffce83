"""Near-duplicate article groups (data/dedupe.py): reprints are one source, distinct articles are not."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from data import dedupe, store
from indicators.reader import Source

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "articles.jsonl"
STOCK = "上海电气(4.990, 0.03, 0.60%)"


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS} (third-party text, read at test time only)")
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def reprint(text: str, title: str = "转载：经济观察") -> str:
    """The same article under another title line, re-spaced, with stock quotes injected."""
    cut = len(text) // 3
    return f"{title}\n\n{text[:cut]}{STOCK} {text[cut:2 * cut]}  {STOCK}\n{text[2 * cut:]}"


def test_normalise_strips_stock_quotes_whitespace_and_script():
    assert dedupe.normalise(f"上海电气{STOCK[4:]}发布 公告\n") == "上海电气发布公告"
    assert dedupe.normalise("地區生產總值增長５．６％") == dedupe.normalise("地区生产总值增长5.6%")


def test_reprints_of_corpus_articles_are_near_duplicates(corpus):
    long = [r["text"] for r in corpus if len(r["text"]) >= 300][:20]
    assert long, "the corpus holds no article of 300 characters or more"
    for text in long:
        assert dedupe.similarity(text, reprint(text)) >= dedupe.THRESHOLD


def test_distinct_corpus_articles_stay_apart(corpus):
    index = dedupe.DupIndex()
    groups = {r["id"]: index.add(r["id"], dedupe.signature(r["text"])) for r in corpus}
    merged = {g for g in groups.values() if list(groups.values()).count(g) > 1}
    assert not merged, f"distinct corpus articles grouped together: {merged}"


def test_same_template_with_other_figures_is_another_article():
    # A monthly release reuses its wording; the next month's figures make it a different article.
    march = ("3月份，全市规模以上工业增加值同比增长8.5%，较1-2月提高1.2个百分点。其中，制造业增长9.1%，"
             "采矿业增长4.3%，电力、热力、燃气及水生产和供应业增长6.7%。社会消费品零售总额321.4亿元，增长7.2%。")
    april = ("4月份，全市规模以上工业增加值同比增长6.3%，较3月回落2.2个百分点。其中，制造业增长7.8%，"
             "采矿业增长2.9%，电力、热力、燃气及水生产和供应业增长5.1%。社会消费品零售总额298.6亿元，增长5.4%。")
    assert dedupe.similarity(march, april) < dedupe.THRESHOLD
    # Short texts still match their reprints (quotes injected, re-spaced).  Not under a new title:
    # on 100 characters a title line alone takes the exact shingle Jaccard to 0.76, below the
    # threshold, and whether an estimate lands above it is down to the hash.
    assert jaccard(march, reprint(march, title="")) >= dedupe.THRESHOLD
    assert dedupe.similarity(march, reprint(march, title="")) >= dedupe.THRESHOLD


def jaccard(a: str, b: str) -> float:
    """The exact Jaccard similarity of two texts' shingle sets (what MinHash estimates)."""
    x, y = dedupe.shingles(a), dedupe.shingles(b)
    return len(x & y) / len(x | y)


def test_minhash_estimates_the_exact_jaccard_on_corpus_pairs(corpus):
    # The signatures' own shingle hash must estimate as well as a cryptographic one: unbiased, with
    # the spread 128 permutations give (datasketch's SHA-1 default: mean error 0.000, sd 0.025 here).
    import random

    rng = random.Random(7)
    texts = [r["text"] for r in corpus if len(r["text"]) >= 200]
    pairs = [(t, reprint(t)) for t in texts[:40]] + [(t, t[:rng.randint(len(t) // 3, len(t))]) for t in texts[:40]]
    pairs += [tuple(rng.sample(texts, 2)) for _ in range(60)]
    errors = [dedupe.similarity(a, b) - jaccard(a, b) for a, b in pairs]
    mean = sum(errors) / len(errors)
    sd = (sum((e - mean) ** 2 for e in errors) / len(errors)) ** 0.5
    assert abs(mean) < 0.01 and sd < 0.04 and max(map(abs, errors)) < 0.15, (mean, sd)


def test_fast_normalisation_is_the_extractors(corpus):
    # dedupe converts by a code-point table instead of indicators.normalize's offset-keeping path.
    from indicators.normalize import normalise as extractor_normalise

    cases = [r["text"] for r in corpus] + [
        "地區生產總值增長５．６％　", "資產(chǎn)增长&amp;5%&nbsp;&#x4e2d;&bogus;", "", "a", "𠀀𠀁 繁體&amp;"]
    for text in cases:
        assert dedupe._to_simple(text) == extractor_normalise(text).text, text[:30]


def test_store_groups_reprint_with_the_original_and_keeps_groups_on_regrouping(tmp_path, corpus):
    con = store.connect(tmp_path / "g.duckdb")
    dedupe.ensure_schema(con)
    texts = [r["text"] for r in corpus[:6]]
    texts.append(reprint(texts[2]))
    ids = []
    for i, text in enumerate(texts):
        store.write_document(con, Source(name=f"a{i}", path=f"a{i}.txt", text=text, published=date(2024, 1, 1)),
                             [])
        ids.append(store.doc_id(text))
    first = dedupe.assign_groups(con, ids[:3])
    later = dedupe.assign_groups(con, ids)
    assert later[ids[6]] == ids[2]                       # the reprint joins the original's group
    assert len(set(later.values())) == 6
    assert all(later[i] == first[i] for i in ids[:3])    # groups never move once given
    dedupe.clear_groups(con)
    assert dedupe.assign_groups(con, ids) == later       # regrouping in ingest order gives the same
    con.close()


def test_signature_is_datasketch_minhash_of_the_shingles(corpus):
    # The numpy path computes what datasketch makes of the shingles with the same hash function.
    from datasketch import MinHash

    for text in [r["text"] for r in corpus[:15]] + ["", "短", "五个字符串", "上海电气发布公告", "𠀀𠀁繁體字"]:
        ref = MinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED, scheme=dedupe.SCHEME,
                      hashfunc=dedupe.shingle_hash)
        ref.update_batch(list(dedupe.shingles(text)))
        assert dedupe.signature(text).hashvalues.tolist() == ref.hashvalues.tolist(), text[:30]


def test_a_batch_of_signatures_is_each_texts_own(corpus):
    # signatures_bytes works a batch's texts together (joined by NUL); each must get its own.
    tricky = ["", "短", "五个字符串", "六个字符串啊", "a\x00b文本内容很长很长", "資產(chǎn)增长&amp;5%", "𠀀𠀁 繁體&amp;字很多",
              "  \n ", "上海电气(4.990, 0.03, 0.60%)"]
    texts = tricky + [r["text"] for r in corpus] + tricky
    assert dedupe.signatures_bytes(texts) == [dedupe.signature_bytes(t) for t in texts]
    assert dedupe.signatures_bytes(texts[:1]) == [dedupe.signature_bytes(texts[0])]


def test_signatures_of_an_older_hash_are_remade_on_first_use(tmp_path, corpus):
    # A store written before the signature hash changed holds SHA-1-based signatures, which cannot
    # be compared with new ones; the first grouping after the change re-signs them, groups kept.
    import numpy as np
    from datasketch import MinHash

    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    texts = [r["text"] for r in corpus[:3]]
    for i, text in enumerate(texts):
        store.write_document(con, Source(name=f"a{i}", path=f"a{i}.txt", text=text), [])
    old = MinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED, scheme=dedupe.SCHEME)
    old.update_batch(list(dedupe.shingles(texts[1])))
    con.execute("UPDATE doc_groups SET signature = ? WHERE doc_id = ?",
                [old.hashvalues.astype(np.uint64).tobytes(), store.doc_id(texts[1])])
    con.execute("DELETE FROM meta WHERE key = 'dedupe_signature'")
    con.close()
    dedupe._INDEXES.clear()  # a new process: no index held
    con = store.connect(path)
    store.write_document(con, Source(name="r", path="r.txt", text=reprint(texts[1])), [])
    groups = dict(con.execute("SELECT doc_id, group_id FROM doc_groups").fetchall())
    assert groups[store.doc_id(reprint(texts[1]))] == store.doc_id(texts[1])
    assert con.execute("SELECT signature FROM doc_groups WHERE doc_id = ?",
                       [store.doc_id(texts[1])]).fetchone()[0] == dedupe.signature_bytes(texts[1])
    assert con.execute("SELECT value FROM meta WHERE key = 'dedupe_signature'").fetchone()[0] == \
        dedupe.SIGNATURE_HASH
    con.close()


def test_lsh_layout_and_permutations_are_datasketchs():
    # dedupe keeps datasketch's band layout and affine32 permutations as its own (no scipy import in
    # the writer and the workers); they must stay what datasketch computes for the same parameters.
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=dedupe.THRESHOLD, num_perm=dedupe.NUM_PERM)
    assert (dedupe.LSH_BANDS, dedupe.LSH_ROWS) == (lsh.b, lsh.r)
    ref = MinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED, scheme=dedupe.SCHEME).permutations
    assert dedupe._permutations().dtype == ref.dtype and dedupe._permutations().tolist() == ref.tolist()


def test_the_writer_and_the_workers_do_not_import_datasketch():
    import subprocess
    import sys

    code = "import sys, data.worker, data.facts, data.fact_state; print('datasketch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], check=True).stdout.split()
    assert out[-1] == "False"
