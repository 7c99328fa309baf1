"""The bulletin describes the method the run used, from the run's stored spec, and flags rank changes across a
method change. Before: it printed the framework's weights (权重0.25 for each dimension), described min-max and
the framework's weights while entropy weights were used, and compared ranks as if only the data had moved."""

import io

import pytest
from docx import Document

from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create, evaluation_run_publish
from county_innovation.evaluation.snapshot import run_engine_result
from county_innovation.indicators.models import Framework
from county_innovation.regions.models import Region
from county_innovation.reports.bulletin import bulletin_docx
from county_innovation.reports.selectors import bulletin_content, indicator_rows, method_lines

SPEC = {
    "normalisation": "zscore",
    "weighting": "entropy",
    "weights": {"enterprise": 2},  # the expert doubles 企业创新 among the dimensions
}


@pytest.fixture
def entropy_official(demo, users):
    framework = Framework.objects.get(code="county", version=1)
    run = evaluation_run_create(
        framework=framework,
        period=2024,
        actor=users["city_admin"],
        scope=Region.objects.get(code="360100"),
        method_spec={**framework.method_spec, **SPEC},
    )
    return evaluation_run_publish(run=run, actor=users["city_admin"], replace_reason="改用熵权法与专家权重")


def _texts(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_method_annex_is_written_from_the_runs_spec(entropy_official):
    lines = dict(method_lines(entropy_official))
    assert lines["标准化"].startswith("Z 分数标准化（均值 0，标准差 1）：(x − 均值) ÷ 标准差")
    assert "熵权法" in lines["赋权"] and "1个节点采用专家给定权重" in lines["赋权"]
    assert "最小-最大" not in "".join(lines.values())


def test_the_weights_printed_are_the_weights_used(entropy_official):
    used = run_engine_result(entropy_official).weights
    rows = indicator_rows(entropy_official)
    by_indicator = {row[1]: float(row[4]) for row in rows}
    tech_smes = next(r for r in rows if r[1] == "科技型中小企业数")
    siblings = ["industrial_rd_intensity", "hightech_enterprises", "tech_smes"]
    expected = used["tech_smes"] / sum(used[c] for c in siblings)
    assert float(tech_smes[4]) == pytest.approx(expected, abs=0.005)
    assert len(set(by_indicator.values())) > 3  # entropy weights differ, not the framework's equal thirds
    text = _texts(bulletin_docx(entropy_official))
    assert "企业创新（权重0.40，维度内指标按熵权法赋权）" in text
    assert "创新投入（权重0.20，维度内指标按熵权法赋权）" in text
    assert "权重0.25" not in text


def test_rank_changes_across_a_method_change_are_flagged(entropy_official):
    content = bulletin_content(entropy_official)
    assert content.previous.period == 2023 and content.ranking.method_changed
    summary = "".join(content.summary)
    assert "本期评价方法与2023年度不同" in summary and "不宜直接比较" in summary
    text = _texts(bulletin_docx(entropy_official))
    assert "较2023年（方法有变化）" in text
    assert "注：本期评价方法与2023年度不同" in text
    assert "（评价方法有变化，不宜直接比较）" in text


def test_the_same_method_compares_ranks_without_a_flag(demo):
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    content = bulletin_content(run)
    assert content.previous.period == 2023 and not content.ranking.method_changed
    assert "不宜直接比较" not in "".join(content.summary)
