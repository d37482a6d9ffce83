"""The indicator phrase found in the text before a number: a table of chunks and the phrase each gives."""
import pytest

from indicators import indicator

BEFORE = [
    ("其中,夏粮产量", "夏粮产量"),
    ("其中,夏粮产量 ", "夏粮产量"),               # a space before the number is no part of it
    ("全年实现营业收入\t", "营业收入"),
    ("2023-02-11 ", None),                      # a date names nothing
    ("截至 2024.03 ", None),
    ("GDP", "GDP"),
    ("bi ", None),                              # pinyin residue of a dropped character (比)
    ("全省规模以上工业增加值同比增长", "规模以上工业增加值"),
    ("新签约项目,签约额", "签约额"),            # the verb stays: 额 alone names nothing
    ("共计入资", "入资"),
    ("全省固定资产投资比上年同期", "固定资产投资"),  # the base of a comparison is no part of it
    ("进出口总额有望", "进出口总额"),
    ("全市经济总量力争", "经济总量"),            # a target verb stands between indicator and number
    ("产业规模剑指", "产业规模"),
    ("6月份增长6.5%,比上月", None),           # 比上月提高: the base of a comparison names nothing
    ("较全国平均水平", None),
    ("占GDP比重", "GDP比重"),                  # 比重 is one word, not the preposition 比
    ("全省规上工业增加值", "规上工业增加值"),
    ("实际使用外资金额843.5亿元人民币(折合", None),  # a conversion restates the amount before it
    ("进出口规模达“十二五”末的", None),         # a lone locality word (末, 中) names nothing
    ("各县(市、区)中", None),
    ("我已卖了", "卖"),                          # a lone verb stays: extract.py looks after the unit
    ("转为增长", None),                          # 由下降0.3%转为增长1.3%: the turn names nothing
    ("线上消费增长37.8%,已连续7个月", None),     # a span of time names no quantity
    ("时已经", None),                            # 到2018年时已经: 时 alone is "when"
    ("平均单井规模由年产", "平均单井规模"),      # 年产 (a year's output) stands before the number
    ("零售额按年", "零售额"),                    # 按年 (year on year, Hong Kong usage) is like 同比
    ("业务量增长接近 ", "业务量"),                # 近 is trimmed: 接 before it went with it (接近)
    ("日产气量飙升至", "日产气量"),              # 升至 is trimmed: 飙 before it goes too (飙升)
    ("占GDP比重为", "GDP比重"),                  # 重为 is no common verb: 比重 stays whole
    ("以可比价格计算较上年", None),              # how a growth is reckoned names nothing
    ("按可比价计算比上年", None),
    ("在去年的基础上", None),                    # the base of a comparison names nothing
    (";居住价格", "居住价格"),                  # 居住 (tagged v) is the CPI's class: 价格 alone names nothing
    ("居住类价格", "居住类价格"),
    ("接待游客", "游客"),                        # a verb before a noun that names something goes
    ("四川辖内金融机构本外币各项存款余额达", "金融机构本外币各项存款余额"),  # 辖内 is one word, dropped
    ("限下企业完成社零总额", "限下企业完成社零总额"),  # 限下 (below quota) is one word, like 限上
]

AFTER = [
    ("央企总部集聚,超", "央企总部"),            # 央企 is one word (rules/words.yaml), not 央 | 企
    ("规上企业实现", "规上企业"),
    ("的平板电脑、八成", "平板电脑"),
    ("5G基站,", "5G基站"),                      # a Latin model name opens the noun
    ("的3D打印机、", "3D打印机"),
    ("项目中,动工项目", "项目"),                 # the locality word 中 closes the scope
    ("国家级经开区,占", "国家级经开区"),         # 经开区 is one word (rules/words.yaml)
    ("国家高新区企业营业收入达", "国家高新区"),   # the place word ends the counted noun; the subject follows
    ("国家全域旅游示范区创建单位共接待", "国家全域旅游示范区"),
    ("产业功能县实现生产总值", "产业功能县"),     # 县 (tagged zg) closes the counted noun
    ("区固定资产投资实现同比增长", "区"),         # a division counted alone: the subject follows it
    ("规则重塑革命老区裂变逻辑", "规则"),         # 革命老区 is no place word (not_places)
    ("县域地区生产总值达到", "县域"),             # nor is 地区
    ("县直单位精干力量、17名", "县直单位精干力量"),  # 县直 is one word (rules/words.yaml), not 县 | 直
    ("市直部门,", "市直部门"),
]

BEFORE_RANK = [
    ("该县财政收入总量", "财政收入总量"),
    ("全市贷款增速在全省16强县(市、区)中", "贷款增速"),   # the scope after 在 is no part of it
    ("GDP在大陆31个省级单位中", "GDP"),
]

BEFORE_PERIOD = [
    ("汽车制造业工业增加值", "汽车制造业工业增加值"),
    ("降幅比", None),                           # 降幅比1—8月收窄: the period is a comparison's base
    ("比上", None),
    ("增速较", None),
    ("陕西经济增速从", "经济增速"),
    ("全市居民消费价格总水平比", "居民消费价格总水平"),  # 比1月下降1.3%: what stands before 比 is measured
    ("同比涨幅较", None),                       # 同比涨幅较1月回落: a change, the claim takes its sentence's
    ("增加值增速比全省平均水平高", "增加值增速"),  # 比 inside: the base and its adjective name nothing
    ("居民消费价格总水平比上月", "居民消费价格总水平"),
    ("全国规模以上港口累计完成外贸货物吞吐量", "港口累计完成外贸货物吞吐量"),  # cut at a word, past 以上
    ("黄龙景区前4天累计接待", "累计接待"),         # a marked span of time at either end is cut off
    ("存款增速连续三个月", "存款增速"),
    ("六大产业两年内剑指", "六大产业"),
    ("5年期", "5年期"),                           # a bare 5年 is no marked span: a bond's term stays
    ("在此期间西藏全社会固定资产投资", "全社会固定资产投资"),  # 在此期间 ("meanwhile") and the place go
    ("全市有15个区外商直接投资合同金额", "外商直接投资合同金额"),  # a counted division is no part of it
]


# Whole sentences, where the phrase depends on what the scanner found (the rank's verb): exact.
SENTENCES = [
    ("去年街道税收总量高居全区第二。", "税收总量"),        # 高居 is the verb, 高 no part of the phrase
    ("该县财政收入总量居全市第三位。", "财政收入总量"),
    ("大湾区内地9市外贸规模超9万亿。", "外贸规模"),               # a region named with digits is no part
    ("粤港澳大湾区内地9市外贸规模稳步扩大,2025年达到9.15万亿元。", "外贸规模"),
    ("长三角地区进出口增长6.3%。", "进出口"),                     # in Chinese numerals: the trim knows it
    ("1至9月我国外贸累计增速年内首次由负转正,同比增长0.7%。", "外贸"),  # the subject clause's period
    ("上半年,全市外贸进出口总体平稳,同比增长3.1%。", "外贸进出口"),     # 总体 qualifies the verdict
    ("全年粮食产量再创历史新高,达到1.4万亿斤。", "粮食产量"),            # a set predicate goes whole
    ("街道财政收入一路高歌猛进,达到26亿元。", "财政收入"),
    ("全省投资稳中向好,增长5%。", "投资"),
    ("全市第三产业增加值所占比重为55%。", "第三产业增加值"),          # 所占 goes whole, not 所 | 占
    ("连云港港以8.8%的增速冲进前十。", "增速"),                     # 以 takes the rate: its noun follows
    ("九江港更是以15.9%的惊人增速领跑。", "增速"),              # past an adjective
    ("楚雄以0.81%排名最后。", "楚雄"),                               # no noun after: the subject, 以 trimmed
    ("宁波舟山港以22866万吨的吞吐量继续稳坐头把交椅。", "吞吐量"),
    ("推动28个项目落户宜昌。", "项目"),                               # 落户 (tagged a noun) ends the counted noun
    ("超4000家京企落地雄安。", "京企"),
]


@pytest.mark.parametrize("text, expected", SENTENCES)
def test_sentence_indicator(text, expected):
    from indicators import extract

    assert [c.indicator for c in extract(text)] == [expected]


# A figure repeated in one text: (text, the indicators of its claims in order).  A headline's
# bare figure takes the name the body gives the same figure, when the body is unambiguous.
REPEATS = [
    ("2.35亿元!\n我市一季度引进项目总投资额2.35亿元。", ["项目总投资额", "项目总投资额"]),
    ("12.5%!\n工业增加值增长12.5%,出口额增长12.5%。", [None, "工业增加值", "出口额"]),  # two measures
    ("增长8%!\n工业增加值增长8%。", [None, "工业增加值"]),          # one digit: too common to tell
]

# (text, published, the periods of its claims in order): a figure named alike elsewhere with a
# period lends it, when that occurrence is the only one.
REPEATED_PERIODS = [
    ("外贸规模增长4.7%!\n2025年,全市外贸规模达9.15万亿元,增长4.7%。", None, ["2025", "2025", "2025"]),
    ("工业增加值增长4.7%!\n2025年,全市工业增加值增长4.7%;2024年,全市工业增加值增长4.7%。", None,
     [None, "2025", "2024"]),                                       # two years: no guess
    ("外贸规模超9万亿,增4.7%\n2025年,全市外贸规模达9.15万亿元,增长4.7%。", None,
     ["2025", "2025", "2025", "2025"]),                             # the headline's sibling figure too
    ("外贸规模超9万亿,出口增4.7%。\n2025年,全市出口增长4.7%。", None,
     [None, "2025", "2025"]),                                       # another measure's echo: no period
]


@pytest.mark.parametrize("text, published, expected", REPEATED_PERIODS)
def test_repeated_figure_period(text, published, expected):
    from indicators import extract

    assert [c.period for c in extract(text, published)] == expected


# Divisions counted with 个: the division alone is the counted noun, and names no measure for the
# figures after it; nouns that a predicate follows open the next subject.
COUNTED_DIVISIONS = [
    ("全省有9个县外商直接投资合同金额实现增长,部分县的增幅高达1倍以上。", ["县", "外商直接投资合同金额"]),
    ("全省83个县(市、区)中,43个增速超过全省平均水平。", ["县", "县"]),
    ("厦门公布627个市重点项目。", ["市重点项目"]),                       # no predicate: one noun
    ("全国48家国家级经开区入选百强。", ["国家级经开区"]),              # 国家级 modifies: keep its noun
    ("一季度,全省7项主要经济指标增速中,有5项高于全国。", ["主要经济指标", "主要经济指标"]),
    ("前三季度,居民消费价格同比上涨1.7%,比1~8月微升0.1个百分点。", ["居民消费价格", "居民消费价格"]),
]


@pytest.mark.parametrize("text, expected", REPEATS + COUNTED_DIVISIONS)
def test_repeated_figure(text, expected):
    from indicators import extract

    assert [c.indicator for c in extract(text)] == expected


def _phrase(chunk, span):
    return None if span is None else chunk[span[0]:span[1]]


@pytest.mark.parametrize("chunk, expected", AFTER)
def test_after(chunk, expected):
    assert _phrase(chunk, indicator.after(chunk)) == expected


AFTER_EVENTS = [
    ("集中签约活动,推动协议投资", "集中签约活动"),  # the verbs that open an event's name stay
    ("召开新闻发布会", "召开新闻发布会"),
    ("组队前往浙江、福建", "组队"),
    ("排名进入全省第一方阵。", None),             # 全省 is a scope: only verbs are left, naming nothing
]


@pytest.mark.parametrize("chunk, expected", AFTER_EVENTS)
def test_after_events(chunk, expected):
    """After an event classifier (次, 场), verbs open the counted phrase."""
    assert _phrase(chunk, indicator.after(chunk, events=True)) == expected


@pytest.mark.parametrize("chunk, expected", BEFORE)
def test_before(chunk, expected):
    assert _phrase(chunk, indicator.before(chunk)) == expected


@pytest.mark.parametrize("chunk, expected", BEFORE_PERIOD)
def test_before_period(chunk, expected):
    assert _phrase(chunk, indicator.before_period(chunk)) == expected


@pytest.mark.parametrize("chunk, expected", BEFORE_RANK)
def test_before_rank(chunk, expected):
    assert _phrase(chunk, indicator.before_rank(chunk)) == expected


INNER_VERB = [
    ("第一产业实现增加值", "实现"),
    ("限额以上单位完成社零总额", "完成"),
    ("港口共完成集装箱吞吐量", "共完成"),      # an adverb before the verb goes with it
    ("生物医药等产品出口", "等产品"),            # 等 and a class noun go too
    ("实现增加值", None),            # a verb first is trimmed elsewhere, not dropped from inside
    ("地区生产总值", None),
]


@pytest.mark.parametrize("phrase, verb", INNER_VERB)
def test_inner_verb(phrase, verb):
    gap = indicator.inner_verb(phrase)
    assert (None if gap is None else phrase[gap[0]:gap[1]]) == verb


PERIOD_SPANS = [
    ("6月末普惠小微贷款余额增长15.6%", "6月末"),    # 末 is the period's, not the indicator's first word
    ("截至4月底,全市财政总收入", "4月底"),
    ("3月5日,会议开幕", "3月5日"),
]


@pytest.mark.parametrize("text, span", PERIOD_SPANS)
def test_period_span(text, span):
    """The period before an indicator takes the words that end it, so the indicator starts after them."""
    from indicators import periods

    found = periods.find(text, None)
    assert found and text[found[0].start:found[0].end] == span
