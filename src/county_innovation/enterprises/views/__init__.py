"""The enterprises app's pages: the registry, an enterprise's figures, the workbook, the cultivation pool."""

from county_innovation.enterprises.views.figures import batch_check, self_check, year_edit
from county_innovation.enterprises.views.pool import (
    pool_close,
    pool_flows,
    pool_index,
    pool_near,
    pool_open,
    pool_round,
    pool_select,
)
from county_innovation.enterprises.views.registry import (
    enterprise_deregister,
    enterprise_detail,
    enterprise_edit,
    enterprise_list,
    enterprise_new,
    qualification_new,
)
from county_innovation.enterprises.views.transfer import enterprise_export, enterprise_import, import_template

__all__ = [
    "batch_check",
    "enterprise_deregister",
    "enterprise_detail",
    "enterprise_edit",
    "enterprise_export",
    "enterprise_import",
    "enterprise_list",
    "enterprise_new",
    "import_template",
    "pool_close",
    "pool_flows",
    "pool_index",
    "pool_near",
    "pool_open",
    "pool_round",
    "pool_select",
    "qualification_new",
    "self_check",
    "year_edit",
]
