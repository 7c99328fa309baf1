"""API shapes of evaluation runs and per-region results; every payload says whether it holds demo data."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from county_innovation.indicators.selectors import framework_dimensions

DEMO_NOTICE = "演示数据，非真实统计"


class DemoFlag(Schema):
    """Built from an EvaluationRun (or any object with ``includes_demo_data``)."""

    demo_data: bool = Field(description="是否含随机生成的演示数据", validation_alias="includes_demo_data")
    notice: str | None = Field(None, description=f"含演示数据时为「{DEMO_NOTICE}」，否则为 null")

    @staticmethod
    def resolve_notice(obj: Any) -> str | None:
        demo = obj["includes_demo_data"] if isinstance(obj, dict) else obj.includes_demo_data
        return DEMO_NOTICE if demo else None


class DimensionOut(Schema):
    code: str = Field(description="维度节点代码（即 dimension_scores 的键）")
    name: str = Field(description="维度名称")


class RunOut(DemoFlag):
    id: int = Field(description="评价运行编号")
    framework: str = Field(description="评价指标体系代码", validation_alias="framework.code")
    framework_name: str = Field(description="评价指标体系名称", validation_alias="framework.name")
    framework_version: int = Field(description="体系版本")
    period: int = Field(description="评价年度")
    scope: str = Field(description="评价范围的区划代码", validation_alias="scope_id")
    status: str = Field(description="状态：draft 未发布、published 已发布（正式结果）、replaced 已被替换")
    published: bool = Field(description="是否已发布", validation_alias="is_published")
    published_at: datetime | None = Field(description="发布时间")
    created_at: datetime = Field(description="执行时间")
    unit_count: int = Field(description="参评单位数")


class RunDetailOut(RunOut):
    method_spec: dict[str, Any] = Field(description="方法参数（标准化、加权、汇总等）")
    input_hash: str = Field(description="输入数据的SHA-256哈希，用于核验复算")
    engine_version: str = Field(description="评价引擎版本")
    includes_demo_data: bool = Field(description="评价时数据库中是否有演示数据")
    excluded: list[Any] = Field(description="数据不足未参评的单位")
    warnings: list[Any] = Field(description="评价过程中的提示")
    dimensions: list[DimensionOut] = Field([], description="体系的维度（按显示顺序）")

    @staticmethod
    def resolve_dimensions(obj: Any) -> list[dict[str, str]]:
        return [{"code": d.code, "name": d.name} for d, _ in framework_dimensions(obj.framework)]


class ResultOut(Schema):
    region: str = Field(description="区划代码", validation_alias="region_id")
    region_name: str = Field(description="区划名称", validation_alias="region.name")
    index: float | None = Field(description="综合指数；数据不足时为 null")
    rank: int | None = Field(description="综合排名；数据不足时为 null")
    availability: float = Field(description="数据完整率（0–1）")
    dimension_scores: dict[str, float | None] = Field(description="{维度代码: 维度得分}")
    dimension_ranks: dict[str, int | None] = Field(description="{维度代码: 维度排名}")


class ResultsOut(DemoFlag):
    """Built from a dict with the run's fields (see evaluation.api.run_result_list)."""

    run: int = Field(description="评价运行编号")
    period: int = Field(description="评价年度")
    framework: str = Field(description="评价指标体系代码")
    count: int = Field(description="结果总条数")
    items: list[ResultOut] = Field(description="各单位结果：先按排名，数据不足者按区划代码列在后面")


class RunCreateIn(Schema):
    framework: str = Field(description="评价指标体系代码，如 county、town", examples=["county"])
    version: int | None = Field(None, description="体系版本；省略时为最新的非草稿版本")
    period: int = Field(description="评价年度", examples=[2024])


class ReplacementOut(Schema):
    detail: str
    official: int = Field(description="现有正式结果的评价编号")
