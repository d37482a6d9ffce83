"""geo.link on table cases: ambiguous names, context words, functional areas, regions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import geo
from geo import gazetteer, names

CASES = Path(__file__).resolve().parent / "cases"


from geo import Span


def link_one(text: str, quote: str) -> Span:
    at = text.index(quote)
    return geo.link(text, [Span(at, at + len(quote))])[0]


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (CASES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", rows("geo_ambiguous.jsonl") + rows("geo_context.jsonl"),
                         ids=lambda c: c["text"][:16])
def test_case_table(case):
    assert link_one(case["text"], case["quote"]).place == case["place"]


AMBIGUOUS = ["普陀区", "朝阳区", "鼓楼区", "西湖区", "宝山区", "铁西区", "新华区", "城关区", "江北区"]


@pytest.mark.parametrize("name", AMBIGUOUS)
def test_ambiguous_name_with_parent_and_without(name):
    codes = [e.target for e in names.aliases()[name] if e.kind == "place"]
    assert len(codes) >= 2
    for code in codes:
        p = gazetteer.place(code)
        parent = gazetteer.place(p["parent"])
        text = f"{parent['name']}{name}今年地区生产总值增长7.5%。"
        got = link_one(text, "7.5%")
        assert got.adcode == code and got.place == p["full_name"]
        # Parent elsewhere in the article is context too.
        text = f"{parent['name']}召开经济工作会议。\n{name}今年地区生产总值增长7.5%。"
        assert link_one(text, "7.5%").adcode == code
    bare = link_one(f"{name}今年地区生产总值增长7.5%。", "7.5%")
    provinces = {gazetteer.place(c)["province"] for c in codes}
    if len(provinces) == 1:
        assert bare.place_level == "province" and bare.adcode == provinces.pop()
    else:
        assert bare.place is None, f"{name} alone resolved to {bare.place}"


def test_fields_are_complete_and_consistent():
    c = link_one("肃北县新能源装机容量达183万千瓦。", "183万千瓦")
    assert (c.place, c.province, c.adcode, c.place_level) == (
        "甘肃省酒泉市肃北蒙古族自治县", "甘肃省", "620923", "county")
    assert 38 < c.lat < 41 and 94 < c.lon < 98
    z = link_one("雄安新区进出口增长20%。", "20%")
    assert (z.province, z.adcode, z.place_level) == ("河北省", "130000", "zone")
    n = link_one("我国粮食产量达到1.4万亿斤。", "1.4万亿斤")
    assert (n.place, n.province, n.place_level) == ("中国", "中国", "country")


def test_cue_words_take_the_focus():
    text = "荆州市今年经济运行平稳。\n全市规模以上工业增加值增长8%。"
    assert link_one(text, "8%").place == "湖北省荆州市"
    text = "湖北省统计局发布数据。\n全省粮食总产达到557亿斤。"
    assert link_one(text, "557亿斤").place == "湖北省"


def test_no_claims_and_no_places():
    assert geo.link("没有地名的文本,增长5%。", []) == []
    assert link_one("没有地名的文本,增长5%。", "5%").place is None


def test_offsets_survive_traditional_script():
    text = "廣東省去年進出口增長4.7%。"
    assert link_one(text, "4.7%").place == "广东省"


def test_a_word_holding_a_country_word_names_no_place():
    assert link_one("面对复杂的国内外经济环境,高新区营业收入增长5%。", "5%").place is None


def test_the_extractor_links_through_pinyin_residue():
    # The extractor hands geo its normalised text: 內(nèi)蒙古 is 内蒙古 there.
    from indicators import extract

    [claim] = extract("2015年,內(nèi)蒙古地區生產總值增長(zhǎng)7.7%。")
    assert claim.place == "内蒙古自治区"


def test_the_extractor_without_linking_leaves_only_the_place_fields_empty():
    from dataclasses import replace

    from indicators import extract

    text = "上海市宝山区今年前三季度规模以上工业增加值同比增长5.2%,完成固定资产投资120亿元。"
    linked, bare = extract(text, published="2026-10-20"), extract(text, published="2026-10-20", link=False)
    assert [c.place for c in linked] == ["上海市宝山区"] * 2
    assert bare == [replace(c, **dict.fromkeys(geo.PLACE_FIELDS)) for c in linked]


def test_the_extractor_reads_a_variant_character_opencc_lacks():
    # 陜 (U+965C) stands for 陝 on many traditional-script pages; OpenCC has no entry for it.
    from indicators import extract

    text = "前三季度,陜西全省地區生產總值增長5.3%。"
    [claim] = extract(text)
    assert (claim.place, text[claim.start:claim.end]) == ("陕西省", "5.3%")


# Articles of ../shared/corpus/articles.jsonl by id, with the province of every claim: an article
# about an area it does not name (全省…高于全国, 全市…居全国第3位) is not about China.
CORPUS_PROVINCES = [
    ("c0001", None), ("c0040", None), ("c0041", None), ("c0075", None),  # 全省/全市, compared with 全国
    ("c0015", None),   # 全县…其中国税: 其中 + 国税
    ("c0080", None),   # 全盟…中國特色社會主義思想
    ("c0109", "陕西省"),  # 陜西 in traditional script
    ("c0065", "中国"), ("c0027", "中国"),  # national releases stay national
]


@pytest.mark.parametrize("doc, province", CORPUS_PROVINCES, ids=[d for d, _ in CORPUS_PROVINCES])
def test_corpus_article_provinces(shared_dir, doc, province):
    from indicators import extract

    rows = {r["id"]: r for r in map(json.loads, (shared_dir / "corpus" / "articles.jsonl").open(encoding="utf-8"))}
    claims = extract(rows[doc]["text"], rows[doc].get("published"))
    assert claims
    assert {c.province for c in claims} == {province}


def link_all(text: str, quotes: list[str]) -> list[str | None]:
    spans = [Span(text.index(q), text.index(q) + len(q)) for q in quotes]
    return [s.place for s in geo.link(text, spans)]


def test_respectively_hands_each_figure_to_its_place():
    text = "去年山西和内蒙古原煤产量分别为11.2亿吨和10.6亿吨,合计占全国一半以上。"
    assert link_all(text, ["11.2亿吨", "10.6亿吨"]) == ["山西省", "内蒙古自治区"]
    text = "入榜园区较多的是浙江省、广东省、山东省,数量分别为9席、8席、6席。"
    assert link_all(text, ["9席", "8席", "6席"]) == ["浙江省", "广东省", "山东省"]
    # The country named between the list and 分别 takes nothing from it.
    text = "宁夏、青海是我国西北部的两个省区,地区生产总值分别为5315亿元和3799亿元。"
    assert link_all(text, ["5315亿元", "3799亿元"]) == ["宁夏回族自治区", "青海省"]
    # A run of another length, or another list before 分别, is not the places' one by one.
    text = "苏州、无锡两市的工业和服务业增加值分别增长5%、6%。"
    assert link_all(text, ["5%", "6%"]) == ["江苏省", "江苏省"]
    text = "山西和内蒙古原煤产量分别为11.2亿吨、10.6亿吨、9亿吨。"
    assert link_all(text, ["11.2亿吨", "10.6亿吨", "9亿吨"]) == ["中国"] * 3


def test_a_chinese_name_inside_a_foreign_one_is_no_place():
    # 阿里 in 迪拜杰贝尔阿里港 is not 西藏阿里地区; 日本对华投资 still leaves the claim to China's text.
    assert link_one("阿联酋迪拜杰贝尔阿里港集装箱吞吐量1560万标箱。", "1560万标箱").place is None
    assert link_one("今年我国实际使用外资中,日本对华投资59亿美元。", "59亿美元").place == "中国"
