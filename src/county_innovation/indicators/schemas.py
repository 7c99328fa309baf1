"""API shapes of indicators, framework versions (with their weighted tree) and data values."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class IndicatorOut(Schema):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    unit: str = Field(description="计量单位")
    definition: str = Field(description="指标解释")
    direction: int = Field(description="方向：1 正向（越大越好），-1 逆向")
    level: str = Field(description="适用层级：county 县（区）、town 乡（镇、街道）")
    value_kind: str = Field(description="数值类型：count 计数、amount 数额、percent 比重（0–100）、rate 比率")
    owner: str = Field(description="填报主体：市直部门代码；空表示由县（区）或乡镇填报")
    source: str = Field(description="数据来源")
    additive: bool = Field(description="乡镇数值可否加总到区域组")


class FrameworkOut(Schema):
    code: str = Field(description="体系代码")
    version: int = Field(description="版本号")
    name: str = Field(description="名称")
    level: str = Field(description="评价对象：county 县（区）、town 乡（镇、街道）")
    status: str = Field(description="状态：draft 草稿、active 启用、frozen 已冻结（已有发布的评价结果）")
    method_spec: dict[str, Any] = Field(description="方法设置：标准化、加权、汇总等参数")


class FrameworkNodeOut(Schema):
    code: str = Field(description="节点代码")
    name: str = Field(description="名称")
    weight: float = Field(description="在上级节点内的权重")
    indicator: str | None = Field(description="叶节点对应的指标代码；维度和总指数为 null")
    children: list["FrameworkNodeOut"] = Field(description="下级节点")


class FrameworkDetailOut(FrameworkOut):
    note: str = Field(description="版本说明")
    tree: FrameworkNodeOut = Field(description="指标体系树：总指数 → 维度 → 指标，含权重")


class DataValueOut(Schema):
    region: str = Field(description="区划代码", validation_alias="region_id")
    region_name: str = Field(description="区划名称", validation_alias="region.name")
    period: int = Field(description="年度")
    indicator: str = Field(description="指标代码", validation_alias="indicator.code")
    indicator_name: str = Field(description="指标名称", validation_alias="indicator.name")
    unit: str = Field(description="计量单位", validation_alias="indicator.unit")
    value: float = Field(description="数值（按指标的计量单位）")
    status: str = Field(description="状态：draft 草稿、submitted 已提交")
    channel: str = Field(description="填报方式：form 网页、import Excel导入、api 接口、demo 演示数据")
    updated_at: datetime = Field(description="最近更新时间")


class DataSaveIn(Schema):
    framework: str = Field(description="评价指标体系代码，如 county、town", examples=["county"])
    version: int | None = Field(None, description="体系版本；省略时为最新的非草稿版本")
    values: dict[str, Any] = Field(
        description='{指标代码: 数值}；数值可为数字或数字文本（如 "1,234.5"、"2.5%"），null 表示清空',
        examples=[{"rd_expenditure": 12345.6, "hightech_enterprises": 87}],
    )
    submit: bool = Field(
        False, description="true 表示保存并提交（提交未通过时整次保存作废），false 只保存为草稿"
    )
    submission_versions: dict[int, int] | None = Field(
        None,
        description="{填报id: 版本号}，取自 GET /api/data/{区划}/{年度} 或上次保存返回的 submissions；"
        "本次写入涉及的每份填报都须给出（或用 If-Match 请求头），缺少时返回 428；"
        "若他人已在此后保存，本次保存被拒绝（乐观锁）",
    )


class SubmissionStateOut(Schema):
    id: int = Field(description="填报id")
    owner: str = Field(description="填报主体：空为区划自身，否则为市直部门代码")
    status: str = Field(description="状态：draft / submitted / approved / returned / locked")
    version: int = Field(description="版本号，每次保存加一")


class DataStateOut(Schema):
    region: str = Field(description="区划代码")
    period: int = Field(description="年度")
    framework: str = Field(description="体系代码")
    version: int = Field(description="体系版本")
    items: list[DataValueOut] = Field(description="该区划该年度本体系的全部数据")
    submissions: list[SubmissionStateOut] = Field(
        description="该区划在本年度填报任务中的各份填报及版本号（保存时须带上）"
    )


class DataSaveOut(Schema):
    region: str = Field(description="区划代码")
    period: int = Field(description="年度")
    framework: str = Field(description="体系代码")
    version: int = Field(description="体系版本")
    created: int = Field(description="新增的数值条数")
    updated: int = Field(description="修改的数值条数")
    deleted: int = Field(description="清空（删除）的草稿数值条数")
    unchanged: int = Field(description="未变化的数值条数")
    submitted: bool = Field(description="是否已提交")
    items: list[DataValueOut] = Field(description="保存后该区划该年度本体系的全部数据")
    submissions: list[SubmissionStateOut] = Field(description="该区划在本年度填报任务中的各份填报")
