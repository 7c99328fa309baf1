"""The default county and town frameworks (domain README §1.3 and foundation issue item 4).

The county system follows the 4-dimension, 15-indicator shape of 湖南省创新型县(市、区)建设指标体系; the
source document gives no weights, so weights are equal within each dimension and across dimensions.

Owners follow the source's 数据来源 column (domain README §1.3): 统计 → 市统计局, 统计（决算）→ 市财政局, 税务 → 市税务局;
科技 figures are what a county's own 科技局 keeps (its enterprises, service bodies, 科技特派员, 科普经费), so the
county fills and submits them itself (owner ``COUNTY_OWN``).
"""

from typing import NamedTuple

DEFAULT_METHOD_SPEC = {
    "normalisation": "minmax",
    "minmax_range": [0.0, 100.0],
    "zscore_mean_sd": [0.0, 1.0],
    "aggregation": "arithmetic",
    # A region with data for fewer than 60 % of the indicators is listed as 数据不足 instead of ranked.
    "availability_threshold": 0.6,
}


COUNTY_OWN = ""  # Indicator.owner of a figure the region fills itself (no city department)


class IndicatorDef(NamedTuple):
    code: str
    name: str
    unit: str
    value_kind: str
    owner: str
    source: str
    direction: int = 1
    additive: bool = False
    definition: str = ""
    origin: str = "reported"
    registry: str = ""


class FrameworkDef(NamedTuple):
    code: str
    name: str
    level: str
    dimensions: list[tuple[str, str, list[str]]]  # (node code, name, indicator codes)


COUNTY_INDICATORS = [
    IndicatorDef(
        "fiscal_st_share",
        "本级财政科学技术支出占当年本级财政一般公共预算支出比重",
        "%",
        "percent",
        "finance",
        "统计（决算）",
        definition="本级财政科学技术支出 ÷ 本级财政一般公共预算支出 × 100%",
    ),
    IndicatorDef(
        "rd_staff_per_10k", "万名就业人员中研究与试验发展(R&D)人员数", "人/万人", "rate", "statistics", "统计"
    ),
    IndicatorDef(
        "rd_expenditure", "全社会R&D经费支出", "万元", "amount", "statistics", "统计", additive=True
    ),
    IndicatorDef(
        "industrial_rd_intensity",
        "规模以上工业企业R&D经费支出占营业收入比重",
        "%",
        "percent",
        "statistics",
        "统计",
    ),
    IndicatorDef(
        "hightech_enterprises",
        "高新技术企业数",
        "家",
        "count",
        COUNTY_OWN,
        "科技",
        additive=True,
        definition="年末有效期内的高新技术企业数（国科发火〔2016〕32号认定）",
    ),
    IndicatorDef(
        "tech_smes",
        "科技型中小企业数",
        "家",
        "count",
        COUNTY_OWN,
        "科技",
        additive=True,
        definition="当年入库登记的科技型中小企业数（国科发政〔2017〕115号）",
    ),
    IndicatorDef("innovation_clusters", "创新密集区数", "个", "count", COUNTY_OWN, "科技", additive=True),
    IndicatorDef(
        "innovation_institutions",
        "创新创业服务机构及研究开发机构数",
        "个",
        "count",
        COUNTY_OWN,
        "科技",
        additive=True,
    ),
    IndicatorDef(
        "rd_tax_relief",
        "企业享受研发费用加计扣除优惠政策获得的税收减免额",
        "万元",
        "amount",
        "taxation",
        "税务",
        additive=True,
    ),
    IndicatorDef(
        "tech_commissioners", "县级以上科技特派员数", "人", "count", COUNTY_OWN, "科技", additive=True
    ),
    IndicatorDef(
        "outreach_funding", "年度科普经费筹集额", "万元", "amount", COUNTY_OWN, "科技", additive=True
    ),
    IndicatorDef(
        "new_product_sales_share",
        "规模以上企业新产品销售收入占营业收入比重",
        "%",
        "percent",
        "statistics",
        "统计",
    ),
    IndicatorDef("invention_patents_per_10k", "万人发明专利拥有量", "件/万人", "rate", "statistics", "统计"),
    IndicatorDef(
        "energy_per_gdp",
        "万元GDP综合能耗",
        "吨标准煤/万元",
        "rate",
        "statistics",
        "统计",
        direction=-1,
        definition="逆向指标：数值越低越好",
    ),
    IndicatorDef("new_enterprises", "当年新注册企业数", "个", "count", "statistics", "统计", additive=True),
]

TOWN_INDICATORS = [
    IndicatorDef("town_hightech_enterprises", "高新技术企业数", "家", "count", "", "乡镇填报", additive=True),
    IndicatorDef("town_tech_smes", "科技型中小企业数", "家", "count", "", "乡镇填报", additive=True),
    IndicatorDef("town_patents_granted", "专利授权数", "件", "count", "", "乡镇填报", additive=True),
    IndicatorDef(
        "town_commissioner_services", "科技特派员服务次数", "次", "count", "", "乡镇填报", additive=True
    ),
    IndicatorDef("town_outreach_events", "科普活动场次", "场", "count", "", "乡镇填报", additive=True),
    IndicatorDef("town_new_enterprises", "新注册企业数", "个", "count", "", "乡镇填报", additive=True),
    IndicatorDef("town_agri_demo_bases", "农业科技示范基地数", "个", "count", "", "乡镇填报", additive=True),
    IndicatorDef(
        "town_fiscal_st_spending", "乡镇财政科技投入", "万元", "amount", "", "乡镇填报", additive=True
    ),
]

COUNTY_FRAMEWORK = FrameworkDef(
    "county",
    "县（区）创新驱动发展评价指标体系",
    "county",
    [
        ("input", "创新投入", ["fiscal_st_share", "rd_staff_per_10k", "rd_expenditure"]),
        ("enterprise", "企业创新", ["industrial_rd_intensity", "hightech_enterprises", "tech_smes"]),
        (
            "environment",
            "创新环境",
            [
                "innovation_clusters",
                "innovation_institutions",
                "rd_tax_relief",
                "tech_commissioners",
                "outreach_funding",
            ],
        ),
        (
            "performance",
            "创新绩效",
            ["new_product_sales_share", "invention_patents_per_10k", "energy_per_gdp", "new_enterprises"],
        ),
    ],
)

TOWN_FRAMEWORK = FrameworkDef(
    "town",
    "乡（镇、街道）创新发展评价指标体系",
    "town",
    [
        ("actors", "创新主体", ["town_hightech_enterprises", "town_tech_smes", "town_new_enterprises"]),
        ("input_output", "创新投入与产出", ["town_fiscal_st_spending", "town_patents_granted"]),
        (
            "services",
            "创新服务",
            ["town_commissioner_services", "town_outreach_events", "town_agri_demo_bases"],
        ),
    ],
)


# Counts and totals the enterprise registry publishes per region and year: never typed in,
# available to any framework version that adds them. Counties get the sum of their towns.
def _registry(
    code: str, name: str, unit: str, kind: str, definition: str
) -> tuple[IndicatorDef, IndicatorDef]:
    common = {"additive": True, "origin": "registry", "registry": "enterprises", "definition": definition}
    return (
        IndicatorDef(f"reg_{code}", f"{name}（名录）", unit, kind, "", "科技企业名录", **common),
        IndicatorDef(f"town_reg_{code}", f"{name}（名录）", unit, kind, "", "科技企业名录", **common),
    )


_REGISTRY_PAIRS = [
    _registry(
        "hightech", "有效期内高新技术企业数", "家", "count", "12月31日处于证书有效期内的高新技术企业数"
    ),
    _registry("tech_sme", "科技型中小企业数", "家", "count", "12月31日处于入库有效期内的科技型中小企业数"),
    _registry("gazelle", "瞪羚企业数", "家", "count", "12月31日有效的瞪羚企业认定数"),
    _registry("unicorn", "独角兽企业数", "家", "count", "12月31日有效的独角兽企业认定数"),
    _registry("rd_expense", "名录企业研发费用合计", "万元", "amount", "名录企业当年研发费用之和"),
]
REGISTRY_COUNTY_INDICATORS = [county for county, _ in _REGISTRY_PAIRS]
REGISTRY_TOWN_INDICATORS = [town for _, town in _REGISTRY_PAIRS]
