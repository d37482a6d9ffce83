"""The compiled build (native/): loaded only while it matches the sources, and giving their claims."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import sysconfig

import pytest

import native
from tests.conftest import REPO, SHARED

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


@pytest.fixture
def build(tmp_path, monkeypatch):
    """An empty build folder; `write(modules, suffix)` gives it a manifest.  sys.path is restored."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(native, "_told", [])
    monkeypatch.delenv(native.PURE, raising=False)

    def write(modules: dict, suffix: str = SUFFIX):
        (tmp_path / "manifest.json").write_text(json.dumps({"ext_suffix": suffix, "modules": modules}))
        return tmp_path
    return write


def _real(*modules: str) -> dict:
    return {m: native.digest(REPO.joinpath(*m.split(".")).with_suffix(".py")) for m in modules}


def test_a_build_matching_the_sources_goes_first_on_the_import_path(build):
    folder = build(_real("indicators.scan", "geo.mentions"))
    path = [str(REPO / "indicators")]
    assert native.use("indicators", path, build=folder)
    assert path == [str(folder / "indicators"), str(REPO / "indicators")]
    assert str(folder) in sys.path  # where the build's shared runtime library is found


def test_a_changed_source_keeps_every_package_on_its_sources(build, capsys):
    modules = _real("indicators.scan", "geo.mentions")
    modules["geo.mentions"] = "0" * 64
    folder = build(modules)
    path = [str(REPO / "indicators")]
    # indicators is unchanged, but its compiled code calls the old geo/mentions directly
    assert not native.use("indicators", path, build=folder)
    assert path == [str(REPO / "indicators")]
    err = capsys.readouterr().err
    assert "geo/mentions.py changed since the native build" in err and "python -m native.build" in err
    assert not native.use("geo", [str(REPO / "geo")], build=folder)
    assert capsys.readouterr().err == ""  # told once


def test_a_vanished_source_is_a_changed_one(build):
    folder = build({**_real("indicators.scan"), "indicators.gone": "0" * 64})
    assert native.stale(json.loads((folder / "manifest.json").read_text())) == ["indicators/gone.py"]
    assert not native.use("indicators", [str(REPO / "indicators")], build=folder)


def test_a_build_for_another_python_is_ignored(build):
    folder = build(_real("indicators.scan"), suffix=".cpython-39-x86_64-linux-gnu.so")
    path = [str(REPO / "indicators")]
    assert not native.use("indicators", path, build=folder)
    assert path == [str(REPO / "indicators")]


def test_an_unreadable_manifest_is_reported_and_ignored(build, capsys):
    folder = build({})
    (folder / "manifest.json").write_text("{not json")
    assert not native.use("indicators", [str(REPO / "indicators")], build=folder)
    assert "manifest.json is unreadable" in capsys.readouterr().err


def test_no_manifest_means_no_build(tmp_path):
    assert not native.use("indicators", [str(REPO / "indicators")], build=tmp_path)


def test_a_package_from_another_checkout_does_not_get_this_build(build, tmp_path):
    folder = build(_real("indicators.scan"))
    (tmp_path / "elsewhere" / "indicators").mkdir(parents=True)
    path = [str(tmp_path / "elsewhere" / "indicators")]
    assert not native.use("indicators", path, build=folder)
    assert path == [str(tmp_path / "elsewhere" / "indicators")]


def test_pure_python_is_chosen_by_the_environment(build, monkeypatch):
    folder = build(_real("indicators.scan"))
    monkeypatch.setenv(native.PURE, "1")
    assert not native.use("indicators", [str(REPO / "indicators")], build=folder)


def _manifest_in_use() -> dict | None:
    if not native.MANIFEST.is_file():
        return None
    manifest = json.loads(native.MANIFEST.read_text(encoding="utf-8"))
    import indicators.scan
    return manifest if native.active(indicators.scan) else None


def test_the_build_is_in_use_where_it_is_required():
    if os.environ.get("ATLAS_NATIVE_REQUIRED") != "1":
        pytest.skip("ATLAS_NATIVE_REQUIRED is not set (scripts/test.sh sets it after python -m native.build)")
    manifest = _manifest_in_use()
    assert manifest, f"{native.MANIFEST}: no native build in use; run python -m native.build --strict"
    assert {"indicators.extract", "indicators.scan", "geo.link"} <= set(manifest["modules"])
    for module in manifest["modules"]:
        assert native.active(importlib.import_module(module)), f"{module} runs from its source"


_EXTRACT_ALL = """
import json, sys
sys.path.insert(0, {repo!r})
import native, indicators.scan
from indicators import extract
assert not native.active(indicators.scan), "the sources were asked for"
docs = json.load(open(sys.argv[1], encoding="utf-8"))
out = [[c.to_dict() for c in extract(text, published=published, doc=name)] for name, text, published in docs]
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""


def _documents() -> list[tuple[str, str, str | None]]:
    """The demo article, and where ../shared is present every corpus and dev article."""
    docs = []
    for txt in sorted((REPO / "data" / "demo").glob("*.txt")):
        meta = json.loads(txt.with_suffix(".meta.json").read_text(encoding="utf-8"))
        docs.append((txt.stem, txt.read_text(encoding="utf-8"), meta.get("published")))
    corpus = SHARED / "corpus" / "articles.jsonl"
    if corpus.is_file():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                docs.append((row["id"], row["text"], row.get("published")))
    for txt in sorted((SHARED / "eval" / "dev" / "docs").glob("*.txt")):
        meta = txt.with_suffix(".meta.json")
        published = json.loads(meta.read_text(encoding="utf-8")).get("published") if meta.is_file() else None
        docs.append((txt.stem, txt.read_text(encoding="utf-8"), published))
    return docs


def test_the_build_and_the_sources_give_the_same_claims(tmp_path):
    if _manifest_in_use() is None:
        pytest.skip("no native build in use (python -m native.build): nothing to compare the sources with")
    from indicators import extract

    docs = _documents()
    (tmp_path / "docs.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, native.PURE: "1"}
    subprocess.run([sys.executable, "-c", _EXTRACT_ALL.format(repo=str(REPO)), str(tmp_path / "docs.json"),
                    str(tmp_path / "pure.json")], check=True, env=env, timeout=600)
    pure = json.loads((tmp_path / "pure.json").read_text(encoding="utf-8"))
    compiled = json.loads(json.dumps([[c.to_dict() for c in extract(t, published=p, doc=n)] for n, t, p in docs],
                                     ensure_ascii=False))
    assert len(pure) == len(compiled) == len(docs)
    for (name, _, _), a, b in zip(docs, pure, compiled):
        assert a == b, f"{name}: the compiled build's claims differ from the sources'"


_FACTS = """
import json, sys
from dataclasses import replace
sys.path.insert(0, {repo!r})
import native, data.fact_state
from data import store
from data.ingest import iter_inputs, run
assert native.active(data.fact_state) == (sys.argv[2] == "native"), "not the code asked for"
items = [s for s in iter_inputs([sys.argv[1]]) if hasattr(s, "text")]
# Reprints, one of each four with a value changed: facts of several sources (of MIN_CACHED and more,
# which data/fact_state.py keeps), some in conflict.
items += [replace(s, name=f"{{s.name}}_r{{k}}",
                  text="转载\\n" + (s.text.replace("1", "2", 1) if k == 1 else s.text))
          for s in items[:12] for k in range(4)]
con = store.connect(sys.argv[3])
for i in range(0, len(items), 20):
    run(iter(items[i:i + 20]), con=con, workers=1, progress=False)
out = {{t: [list(map(str, r)) for r in con.execute(
    f"SELECT * EXCLUDE (updated_at) FROM {{t}} ORDER BY ALL" if t == "facts"
    else f"SELECT * FROM {{t}} ORDER BY ALL").fetchall()] for t in ("facts", "fact_members", "doc_groups")}}
json.dump(out, open(sys.argv[4], "w", encoding="utf-8"), ensure_ascii=False)
"""


def test_the_build_and_the_sources_keep_the_same_facts(tmp_path, shared_dir):
    if _manifest_in_use() is None:
        pytest.skip("no native build in use (python -m native.build): nothing to compare the sources with")
    corpus = shared_dir / "corpus" / "articles.jsonl"
    results = {}
    for code in ("native", "pure"):
        env = {**os.environ, native.PURE: "1" if code == "pure" else "0"}
        subprocess.run([sys.executable, "-c", _FACTS.format(repo=str(REPO)), str(corpus), code,
                        str(tmp_path / f"{code}.duckdb"), str(tmp_path / f"{code}.json")],
                       check=True, env=env, timeout=600)
        results[code] = json.loads((tmp_path / f"{code}.json").read_text(encoding="utf-8"))
    assert len(results["native"]["facts"]) > 500
    assert any("conflict" in row for row in results["native"]["facts"]), "the reprints' changed values conflict"
    for table in ("facts", "fact_members", "doc_groups"):
        assert results["native"][table] == results["pure"][table], f"{table} differs between build and sources"
