"""The enterprise workbook: the blank import template, the export of the user's enterprises, the import."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from county_innovation.collection.excel import XLSX_CONTENT_TYPE
from county_innovation.collection.forms import ImportForm
from county_innovation.common.errors import DomainError
from county_innovation.enterprises import exporting, policies
from county_innovation.enterprises.services import importing

IMPORT_PROBLEMS_SHOWN = 200


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    policies.enterprises.require(request.user, "import")
    return _xlsx(exporting.template_build(request.user), exporting.template_filename())


@login_required
@require_GET
def enterprise_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    policies.enterprises.require(user, "export")
    return _xlsx(exporting.workbook_build(exporting.export_data(user)), exporting.export_filename())


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_import(request: HttpRequest) -> HttpResponse:
    policies.enterprises.require(request.user, "import")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = importing.enterprise_import_excel(
                actor=request.user, file_name=upload.name, content=upload.read()
            )
        except DomainError as error:
            messages.error(request, error.message)
            problems, status = error.problems, 400
        else:
            messages.success(
                request,
                f"导入完成：企业新增 {report.enterprises_created} 家、更新 {report.enterprises_updated} 家"
                f"（未变 {report.enterprises_unchanged} 家）；年度数据新增 {report.years_created} 条、"
                f"更新 {report.years_updated} 条（未变 {report.years_unchanged} 条）。",
            )
            return redirect("enterprises:import")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "enterprises/import.html",
        {
            "nav": "enterprises",
            "form": form,
            "problems": problems[:IMPORT_PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(problems) - IMPORT_PROBLEMS_SHOWN),
        },
        status=status,
    )
