"""Writes of the enterprises app: the registry (``registry``) and the cultivation pool (``cultivation``)."""

from county_innovation.enterprises.services.cultivation import (
    cultivation_round_close,
    cultivation_round_open,
    pool_entries_select,
)
from county_innovation.enterprises.services.registry import (
    enterprise_create,
    enterprise_deregister,
    enterprise_member_add,
    enterprise_update,
    enterprise_year_save,
    qualification_add,
)

__all__ = [
    "cultivation_round_close",
    "cultivation_round_open",
    "enterprise_create",
    "enterprise_deregister",
    "enterprise_member_add",
    "enterprise_update",
    "enterprise_year_save",
    "pool_entries_select",
    "qualification_add",
]
