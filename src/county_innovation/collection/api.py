"""Data collection over HTTP: machine imports of many values at once, with a dry run (issue 4, item 6).

Thin: the request is parsed here, the import pipeline (``collection.importing``) checks and writes. A refused
import answers 400 with ``{"detail", "problems"}``, each problem naming its item (「第3条」); a dry run answers
the same report as a real import, without writing.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from county_innovation.accounts import permissions
from county_innovation.collection.importing import ImportReport, data_import_values
from county_innovation.common.api import YEAR_MAX, YEAR_MIN
from county_innovation.indicators.api import framework_or_404
from county_innovation.indicators.models import DataValue

router = Router(tags=["指标数据"])


class ImportValueIn(Schema):
    region: str | int = Field(description="区划代码", examples=["360121100"])
    indicator: str = Field(description="指标代码（见 /api/indicators/）", examples=["town_tech_smes"])
    value: Any = Field(
        description="数值：数字，或文本（可带千位分隔符、全角数字）；null 或空文本清空已存的数值",
        examples=[17],
    )
    comment: str | None = Field(None, description="说明（如较上年变化超过阈值的原因）；省略时保留已有说明")


class ImportIn(Schema):
    framework: str = Field(description="评价指标体系代码，如 county、town", examples=["town"])
    version: int | None = Field(None, description="体系版本；省略时为最新的非草稿版本")
    period: int = Field(description="年度", examples=[2025], ge=YEAR_MIN, le=YEAR_MAX)
    dry_run: bool = Field(False, description="只检查、报告将会发生的变化，不写入")
    submit: bool = Field(False, description="写入后提交所涉及的填报（须完整且无未说明的提示）")
    values: list[ImportValueIn] = Field(description="要导入的数值，第 n 条在问题清单中称「第n条」")


class ImportOut(Schema):
    framework: str = Field(description="体系代码")
    version: int = Field(description="体系版本")
    period: int = Field(description="年度")
    dry_run: bool = Field(description="是否为试导入（未写入）")
    values: int = Field(description="导入（或将导入）的数值条数")
    regions: int = Field(description="涉及的区划数")
    created: int = Field(description="新增条数")
    updated: int = Field(description="修改条数")
    deleted: int = Field(description="清空条数")
    unchanged: int = Field(description="与库中相同的条数")
    submitted: int = Field(description="写入后提交的填报份数")
    warnings: list[str] = Field(description="校验规则的提示（不阻止写入；提交前须填写说明），含位置")
    batch: int | None = Field(description="导入记录编号；试导入为 null")
    summary: str = Field(description="一句话的中文结果")


def _out(report: ImportReport, *, framework, period: int) -> dict[str, Any]:
    return {
        "framework": framework.code,
        "version": framework.version,
        "period": period,
        "dry_run": report.dry_run,
        "values": report.values,
        "regions": report.regions,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": report.unchanged,
        "submitted": report.submitted,
        "warnings": report.warnings,
        "batch": report.batch.pk if report.batch else None,
        "summary": report.summary(),
    }


@router.post(
    "/data/import",
    response=ImportOut,
    summary="批量导入指标数据（可试导入）：全部有效才写入",
    description="一次导入多个区划、多个指标的数值，检查与网页导入相同：区划在管辖范围内、指标由本人负责、"
    "数值合法、无重复、填报任务开放且填报可修改、校验规则。任何一处不合格则全部不写入，返回 400 及逐条问题"
    "（「第n条：…」）。dry_run 为 true 时只检查并返回同样的报告。",
)
def data_import(request: HttpRequest, payload: ImportIn) -> dict[str, Any]:
    user = request.auth
    permissions.require_enter_data(user)
    framework = framework_or_404(user, payload.framework, payload.version)
    report = data_import_values(
        user=user,
        framework=framework,
        period=payload.period,
        items=[item.model_dump() for item in payload.values],
        submit=payload.submit,
        dry_run=payload.dry_run,
        channel=DataValue.Channel.API,
    )
    return _out(report, framework=framework, period=payload.period)
