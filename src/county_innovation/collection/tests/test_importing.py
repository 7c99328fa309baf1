"""The import pipeline on real files: CSV in UTF-8 and GBK, JSON, and the Excel template's structure.

Every refused file is checked for its Chinese message and that nothing (no DataValue, no ImportBatch) was
written. Files are built as users' programs build them: openpyxl for Excel, real GBK bytes for CSV.
"""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.collection import selectors
from county_innovation.collection.models import ImportBatch
from county_innovation.collection.services import rounds
from county_innovation.collection.services.imports import (
    data_import_file,
    data_import_path,
    data_import_values,
)
from county_innovation.collection.tests.helpers import column_of, fill, row_of
from county_innovation.collection.tests.importing_helpers import (
    LIANTANG,
    PERIOD,
    XIANGTANG,
    csv_bytes,
    nothing_written,
    open_round,
    xlsx_part_replace,
)
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Indicator

JINXIAN_TOWN = "360124100"  # a town of 进贤县, outside the 南昌县 officer's scope


@pytest.fixture
def town(users):
    open_round(users["city_admin"], "town")
    return Framework.objects.filter(code="town").order_by("-version").first()


@pytest.fixture
def county_fw(users):
    open_round(users["city_admin"], "county")
    return Framework.objects.filter(code="county").order_by("-version").first()


def stored(region: str, indicator: str) -> DataValue:
    return DataValue.objects.get(region_id=region, indicator__code=indicator, period=PERIOD)


def refused(user, framework, content: bytes, name: str = "数据.csv", **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        data_import_file(
            actor=user, framework=framework, period=PERIOD, content=content, file_name=name, **kwargs
        )
    assert nothing_written()
    return caught.value


def text_of(error: DomainError) -> str:
    return "\n".join([error.message, *error.problems])


# --- CSV ------------------------------------------------------------------------------------------------------


def test_csv_in_utf8_with_bom_is_imported(users, town):
    content = b"\xef\xbb\xbf" + csv_bytes(
        [[LIANTANG, "town_tech_smes", 17], [XIANGTANG, "town_tech_smes", 5]]
    )
    report = data_import_file(
        actor=users["county"], framework=town, period=PERIOD, content=content, file_name="乡镇.csv"
    )
    assert (report.kind, report.values, report.regions, report.created) == ("csv", 2, 2, 2)
    assert stored(LIANTANG, "town_tech_smes").value == 17
    assert stored(LIANTANG, "town_tech_smes").channel == "import"
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.template_version, batch.value_count) == ("乡镇.csv", "csv", 2)
    history = stored(LIANTANG, "town_tech_smes").history.get()
    assert history.history_change_reason == "CSV导入：乡镇.csv"


def test_gbk_csv_without_bom_is_read_with_its_chinese_header_and_comment(users, town):
    content = csv_bytes(
        [[LIANTANG, "town_tech_smes", 17, "新设孵化器带动增长"]],
        encoding="gbk",
        header=("区划代码", "指标代码", "数值", "说明"),
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really GBK, as Excel on Chinese Windows saves 「CSV（逗号分隔）」
    data_import_file(
        actor=users["county"], framework=town, period=PERIOD, content=content, file_name="gbk.csv"
    )
    value = stored(LIANTANG, "town_tech_smes")
    assert (value.value, value.comment) == (17, "新设孵化器带动增长")


def test_gb18030_csv_and_english_header_and_extra_columns(users, town):
    content = csv_bytes(
        [["莲塘镇", LIANTANG, "town_tech_smes", "9", "𠀀注"]],
        encoding="gb18030",
        header=("区划名称", "region", "INDICATOR", "Value", "comment"),
    )
    data_import_file(actor=users["county"], framework=town, period=PERIOD, content=content, file_name="x.csv")
    assert stored(LIANTANG, "town_tech_smes").comment == "𠀀注"


def test_undecodable_csv_is_refused(users, town):
    # Valid at the start (the upload check sniffs the first 8 KB), broken further on.
    good = csv_bytes([[LIANTANG, "town_tech_smes", 1]] * 1000)
    error = refused(users["county"], town, good + b"\x81\x20\xff\xfe,1\n")
    assert "无法识别 CSV 文件的编码" in error.message and "CSV UTF-8" in error.message


def test_csv_without_the_required_header_is_refused(users, town):
    error = refused(users["county"], town, "代码,值\n360121100,3\n".encode())
    assert "CSV 文件第1行应为表头「区划代码,指标代码,数值,说明」" in error.message
    assert "缺少「区划代码」「指标代码」「数值」列" in error.message


def test_thousands_separators_and_full_width_digits_are_accepted(users, town):
    content = csv_bytes(
        [[LIANTANG, "town_fiscal_st_spending", '"1,234.5"'], [LIANTANG, "town_tech_smes", "１２３"]]
    )
    data_import_file(actor=users["county"], framework=town, period=PERIOD, content=content, file_name="x.csv")
    assert stored(LIANTANG, "town_fiscal_st_spending").value == Decimal("1234.5")
    assert stored(LIANTANG, "town_tech_smes").value == 123


def test_text_in_a_numeric_cell_is_refused_naming_row_and_column(users, town):
    content = csv_bytes([[LIANTANG, "town_fiscal_st_spending", "约300万"], [XIANGTANG, "town_tech_smes", 4]])
    error = refused(users["county"], town, content)
    assert error.problems == ["第2行「数值」列「乡镇财政科技投入」：应为数字，实际为「约300万」"]
    assert error.message == "导入失败：发现 1 处问题，未导入任何数据。请改正后重新上传。"


def test_a_region_outside_the_users_scope_is_refused(users, town):
    content = csv_bytes([[LIANTANG, "town_tech_smes", 3], [JINXIAN_TOWN, "town_tech_smes", 4]])
    error = refused(users["county"], town, content)
    assert len(error.problems) == 1
    assert (
        error.problems[0].startswith("第3行：「")
        and "不在您的管辖范围内，不能导入其数据" in error.problems[0]
    )


def test_duplicate_rows_are_refused_naming_both_rows(users, town):
    content = csv_bytes(
        [[LIANTANG, "town_tech_smes", 3], [XIANGTANG, "town_tech_smes", 1], [LIANTANG, "town_tech_smes", 4]]
    )
    error = refused(users["county"], town, content)
    assert error.problems == [f"第4行：「莲塘镇」（{LIANTANG}）的指标「科技型中小企业数」重复，已在第2行出现"]


def test_every_problem_of_the_file_is_listed(users, town):
    content = csv_bytes(
        [
            ["360121999", "town_tech_smes", 1],
            [LIANTANG, "nope", 1],
            ["360121", "town_tech_smes", 1],
            [LIANTANG, "town_tech_smes", -1],
            ["", "town_tech_smes", 1],
        ]
    )
    problems = refused(users["county"], town, content).problems
    assert problems == [
        "第2行：未知的区划代码「360121999」",
        "第3行：指标代码「nope」不属于「乡（镇、街道）创新发展评价指标体系」第1版",
        "第4行：「南昌县」（360121）是县级区划，「乡（镇、街道）创新发展评价指标体系」只收乡（镇、街道）级数据",
        "第5行「数值」列「科技型中小企业数」：计数不能为负数，实际为 -1",
        "第6行：缺少区划代码",
    ]


def test_formula_and_registry_indicators_cannot_be_imported(users, town):
    Indicator.objects.filter(code="town_new_enterprises").update(origin="registry")
    content = csv_bytes([[LIANTANG, "town_new_enterprises", 3]])
    assert refused(users["county"], town, content).problems == [
        "第2行：指标「新注册企业数」由登记名录自动发布，不能导入"
    ]


def test_a_department_cannot_import_an_indicator_it_does_not_own(users, county_fw):
    content = csv_bytes([["360121", "rd_expenditure", 100], ["360121", "hightech_enterprises", 3]])
    problems = refused(users["department"], county_fw, content).problems
    assert problems == ["第3行：您无权填报指标「高新技术企业数」（该指标不由您的部门负责）"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(users, town, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(60 * 1024 * 1024)  # 60 MB, sparse: nothing to read if the size is checked first
    with pytest.raises(DomainError, match=r"文件大小 60\.0 MB，超过上限 20 MB"):
        data_import_path(actor=users["county"], framework=town, period=PERIOD, path=big)
    error = refused(users["county"], town, b"x" * (60 * 1024 * 1024))
    assert "超过上限 20 MB" in error.message


def test_an_xls_renamed_xlsx_is_refused(users, town):
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024)
    assert (
        "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传"
        in refused(users["county"], town, ole2, name="填报.xlsx").message
    )


def test_a_zip_that_is_not_a_workbook_is_refused(users, town):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "x")
    assert "不是有效的" in refused(users["county"], town, out.getvalue(), name="填报.xlsx").message


def test_a_dry_run_reports_without_writing(users, town):
    content = csv_bytes([[LIANTANG, "town_tech_smes", 17], [XIANGTANG, "town_tech_smes", 5]])
    report = data_import_file(
        actor=users["county"], framework=town, period=PERIOD, content=content, file_name="x.csv", dry_run=True
    )
    assert (report.dry_run, report.created, report.batch) == (True, 2, None)
    assert "检查通过（试导入，未写入）" in report.summary()
    assert nothing_written()


def test_import_into_a_closed_round_is_refused(users, town):
    round_ = selectors.round_for(town, PERIOD)
    rounds.round_close(actor=users["city_admin"], round_=round_)
    error = refused(users["county"], town, csv_bytes([[LIANTANG, "town_tech_smes", 17]]))
    assert error.message.startswith("导入失败：填报任务") and "已截止，不能再填报或修改数据" in error.message


def test_import_without_a_round_is_refused(users, frameworks):
    with pytest.raises(DomainError) as caught:
        data_import_file(
            actor=users["county"],
            framework=frameworks["town"],
            period=2018,
            content=csv_bytes([[LIANTANG, "town_tech_smes", 17]]),
            file_name="x.csv",
        )
    assert "2018年度「乡（镇、街道）创新发展评价指标体系」尚未发布填报任务" in caught.value.message
    assert not DataValue.objects.filter(period=2018).exists()


def test_import_can_submit_a_complete_region_with_an_explained_change(users, town):
    last_year = {
        v.indicator.code: v.value
        for v in DataValue.objects.filter(
            region_id=LIANTANG, period=PERIOD - 1, indicator__in=selectors.reported_indicators(town)
        ).select_related("indicator")
    }
    rows = [[LIANTANG, code, value, ""] for code, value in last_year.items() if code != "town_tech_smes"]
    rows.append([LIANTANG, "town_tech_smes", 17, "两家企业迁出，其余未通过复核"])
    content = csv_bytes(rows, header=("区划代码", "指标代码", "数值", "说明"))
    report = data_import_file(
        actor=users["county"], framework=town, period=PERIOD, content=content, file_name="x.csv", submit=True
    )
    assert report.submitted == 1 and report.created == len(rows)
    assert stored(LIANTANG, "town_tech_smes").status == "submitted"
    assert stored(LIANTANG, "town_tech_smes").comment == "两家企业迁出，其余未通过复核"


def test_submitting_an_incomplete_region_refuses_the_whole_import(users, town):
    error = refused(users["county"], town, csv_bytes([[LIANTANG, "town_tech_smes", 17]]), submit=True)
    assert "莲塘镇：「高新技术企业数」为必填项，尚未填写" in error.problems  # the region is named


# --- JSON ------------------------------------------------------------------------------------------------------


def test_json_file_with_comment_and_null_clearing_a_value(users, town):
    first = {"values": [{"region": LIANTANG, "indicator": "town_tech_smes", "value": 3}]}
    data_import_file(
        actor=users["county"],
        framework=town,
        period=PERIOD,
        content=json.dumps(first).encode(),
        file_name="a.json",
    )
    body = {
        "framework": "town",
        "period": PERIOD,
        "values": [
            {"region": LIANTANG, "indicator": "town_tech_smes", "value": None},
            {"region": int(XIANGTANG), "indicator": "town_tech_smes", "value": "12", "comment": "核实"},
        ],
    }
    report = data_import_file(
        actor=users["county"],
        framework=town,
        period=PERIOD,
        content=json.dumps(body, ensure_ascii=False).encode(),
        file_name="b.json",
    )
    assert (report.created, report.deleted) == (1, 1)
    assert not DataValue.objects.filter(region_id=LIANTANG, period=PERIOD).exists()
    assert stored(XIANGTANG, "town_tech_smes").comment == "核实"


def test_json_items_are_named_by_their_number(users, town):
    items = [
        {"region": LIANTANG, "indicator": "town_tech_smes", "value": "约300万"},
        {"region": LIANTANG},
        "x",
    ]
    with pytest.raises(DomainError) as caught:
        data_import_values(actor=users["county"], framework=town, period=PERIOD, items=items)
    assert caught.value.problems == [
        "第1条「科技型中小企业数」：应为数字，实际为「约300万」",
        "第2条：缺少「indicator」「value」",
        '第3条：应为对象 {"region": …, "indicator": …, "value": …}',
    ]
    assert nothing_written()


def test_json_naming_another_period_is_refused(users, town):
    body = {"period": 2023, "values": [{"region": LIANTANG, "indicator": "town_tech_smes", "value": 1}]}
    error = refused(users["county"], town, json.dumps(body).encode(), name="x.json")
    assert error.problems == ["文件中的 period 为 2023，与导入的年度 2025 不一致"]


def test_malformed_json_is_refused(users, town):
    error = refused(users["county"], town, b'{"values": [', name="x.json")
    assert error.message.startswith("JSON 格式错误（第1行第")


# --- the Excel template's structure --------------------------------------------------------------------------


@pytest.fixture
def template(client_for, download, town):
    return download(client_for("county"), "town")


def ref(content: bytes, region_code: str, indicator_code: str) -> str:
    return f"{column_of(content, indicator_code)}{row_of(content, region_code)}"


def import_xlsx(user, framework, content: bytes):
    return data_import_file(
        actor=user, framework=framework, period=PERIOD, content=content, file_name="t.xlsx"
    )


def test_a_formula_with_its_cached_result_is_imported_as_that_result(users, town, template):
    cell = ref(template, LIANTANG, "town_tech_smes")
    filled = fill(template, {cell: "=10+7"})
    # Excel stores the last result beside the formula; openpyxl does not, so put it in as Excel would.
    filled = xlsx_part_replace(
        filled, "xl/worksheets/sheet1.xml", "<f>10+7</f><v></v>", "<f>10+7</f><v>17</v>"
    )
    import_xlsx(users["county"], town, filled)
    assert stored(LIANTANG, "town_tech_smes").value == 17


def test_a_formula_without_a_cached_result_is_refused(users, town, template):
    cell = ref(template, LIANTANG, "town_tech_smes")
    filled = fill(template, {cell: "=10+7", ref(template, XIANGTANG, "town_tech_smes"): 3})
    with pytest.raises(DomainError) as caught:
        import_xlsx(users["county"], town, filled)
    assert caught.value.problems == [
        f"第{cell[1:]}行 {cell[0]}列为公式且没有计算结果，请在 Excel 中重新计算并保存后再上传（或把公式改为数值）"
    ]
    assert nothing_written()


def test_merged_cells_in_the_data_area_are_refused_naming_the_range(users, town, template):
    row = row_of(template, LIANTANG)

    def merge(book):
        book["数据填报"].merge_cells(f"C{row}:D{row + 1}")

    filled = fill(template, {f"C{row}": 3}, edit=merge)
    with pytest.raises(DomainError) as caught:
        import_xlsx(users["county"], town, filled)
    assert caught.value.problems[0].startswith(
        f"单元格 C{row}:D{row + 1} 为合并单元格：数据区域（第3行起）不能合并单元格"
    )
    assert nothing_written()


def test_the_merged_title_row_of_the_template_is_fine(users, town, template):
    import_xlsx(users["county"], town, fill(template, {ref(template, LIANTANG, "town_tech_smes"): 3}))
    assert stored(LIANTANG, "town_tech_smes").value == 3


def test_hidden_rows_holding_values_are_refused_naming_the_rows(users, town, template):
    row = row_of(template, XIANGTANG)

    def hide(book):
        book["数据填报"].row_dimensions[row].hidden = True
        book["数据填报"].row_dimensions[row + 5].hidden = True  # empty: nothing imported from it, no problem

    filled = fill(
        template,
        {ref(template, LIANTANG, "town_tech_smes"): 3, ref(template, XIANGTANG, "town_tech_smes"): 4},
        edit=hide,
    )
    with pytest.raises(DomainError) as caught:
        import_xlsx(users["county"], town, filled)
    assert [p[: p.index("：")] for p in caught.value.problems] == [f"第{row}行为隐藏行"]
    assert nothing_written()


def test_hidden_columns_holding_values_are_refused(users, town, template):
    cell = ref(template, LIANTANG, "town_tech_smes")

    def hide(book):
        book["数据填报"].column_dimensions[cell[0]].hidden = True

    with pytest.raises(DomainError) as caught:
        import_xlsx(users["county"], town, fill(template, {cell: 3}, edit=hide))
    assert caught.value.problems[0].startswith(f"{cell[0]}列为隐藏列")


def test_full_width_digits_and_separators_in_a_template_cell(users, town, template):
    filled = fill(
        template,
        {
            ref(template, LIANTANG, "town_tech_smes"): "１２３",
            ref(template, LIANTANG, "town_fiscal_st_spending"): "1,234.5",
        },
    )
    import_xlsx(users["county"], town, filled)
    assert stored(LIANTANG, "town_tech_smes").value == 123
    assert stored(LIANTANG, "town_fiscal_st_spending").value == Decimal("1234.5")


# --- the web page and the template of one region -------------------------------------------------------------


def test_the_import_page_takes_a_gbk_csv(client_for, upload, town):
    client = client_for("county")
    content = csv_bytes([[LIANTANG, "town_tech_smes", "１７"]], encoding="gbk")
    page = upload(client, "town", content, name="乡镇数据.csv").content.decode()
    assert "已导入 1 个区划的 1 条数据（新增 1 条" in page
    assert stored(LIANTANG, "town_tech_smes").value == 17


def test_the_import_page_refuses_an_xls_renamed_xlsx_with_the_xls_sentence(client_for, upload, town):
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024)
    page = upload(client_for("county"), "town", ole2, name="数据.xlsx").content.decode()
    assert "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传" in page
    assert nothing_written()


def _template_rows(response) -> list[str]:
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["数据填报"]
    return [row[0].value for row in sheet.iter_rows(min_row=4) if row[0].value]


def test_city_admin_downloads_the_town_template_of_one_county(client_for, town):
    response = client_for("city_admin").get(
        reverse("collection:template", args=["town", PERIOD]) + "?region=360121"
    )
    assert response.status_code == 200
    codes = _template_rows(response)
    assert codes and all(code.startswith("360121") for code in codes) and LIANTANG in codes
    assert "%E5%8D%97%E6%98%8C%E5%8E%BF_" in response["Content-Disposition"]  # 南昌县_ before the name


def test_county_officer_cannot_download_another_countys_template(client_for, town):
    response = client_for("county").get(
        reverse("collection:template", args=["town", PERIOD]) + "?region=360124"
    )
    assert response.status_code == 403


def test_a_town_has_no_county_template(client_for, county_fw):
    client = client_for("city_admin")
    response = client.get(
        reverse("collection:template", args=["county", PERIOD]) + f"?region={LIANTANG}", follow=True
    )
    assert "「莲塘镇」没有县（区）级区划需要填报" in response.content.decode()


def test_rule_warnings_come_back_with_the_position_of_the_value(users, town):
    content = csv_bytes([[XIANGTANG, "town_tech_smes", 1], [LIANTANG, "town_tech_smes", 1]])
    report = data_import_file(
        actor=users["county"], framework=town, period=PERIOD, content=content, file_name="x.csv"
    )
    changes = [w for w in report.warnings if "较上年" in w]
    assert changes and all(w.startswith(("第2行「数值」列：", "第3行「数值」列：")) for w in changes)
    assert "提示" in report.summary()


def test_a_60_mb_upload_to_the_import_page_is_refused_unread(client_for, upload, town):
    response = upload(
        client_for("county"), "town", b"0" * (60 * 1024 * 1024), name="大文件.csv", follow=False
    )
    assert response.status_code == 413
    assert "超过上限 20 MB" in response.content.decode()
    assert nothing_written()


def test_the_template_holds_only_the_regions_taking_part_in_the_round(client_for, town):
    selectors.round_for(town, PERIOD).regions.remove(XIANGTANG)
    response = client_for("county").get(reverse("collection:template", args=["town", PERIOD]))
    codes = _template_rows(response)
    assert LIANTANG in codes and XIANGTANG not in codes


def test_the_import_page_can_check_a_file_without_writing(client_for, town):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = csv_bytes([[LIANTANG, "town_tech_smes", 17]])
    response = client_for("county").post(
        reverse("collection:import", args=["town", PERIOD]),
        {"file": SimpleUploadedFile("x.csv", content), "dry_run": "on"},
        follow=True,
    )
    assert "检查通过（试导入，未写入）：可导入 1 个区划的 1 条数据（新增 1 条" in response.content.decode()
    assert nothing_written()
