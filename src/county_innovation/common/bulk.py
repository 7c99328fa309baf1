"""Fast bulk writes with their django-simple-history rows: one prepared statement per batch (executemany).

Django's ``bulk_create`` prepares every value of every row through the field machinery and, on SQLite, splits
the rows into statements of 999 parameters; its ``bulk_update`` builds a CASE WHEN per row, which grows
quadratically. At 50,000 data values that is minutes (benchmarks/data_import.py). These helpers convert the
values of simple columns directly and hand whole batches to the driver's ``executemany``; the behaviour
(rows, history rows with user, reason and type) is that of simple-history's ``bulk_create_with_history`` and
``bulk_update_with_history``, whose call signatures they accept, so a caller can switch by changing an import.

Limits: models with a single-column primary key; no signals are sent (as with Django's bulk operations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import Field, Max, Model, UniqueConstraint
from django.utils import timezone

BATCH_SIZE = 5000
# Column types whose Python value (str, int, bool, Decimal, float, None) the drivers take as it is; Django
# registers the Decimal adapter for SQLite, psycopg adapts Decimal natively.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DecimalField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _converter(field: Field, connection) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return lambda value: value
    if kind == "DateTimeField":
        seen: dict[datetime, Any] = {}

        def datetime_value(value: Any) -> Any:
            if value is None:
                return None
            if value not in seen:
                seen[value] = field.get_db_prep_save(value, connection)
            return seen[value]

        return datetime_value
    return lambda value: field.get_db_prep_save(value, connection)


def _batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stamp_auto_now(objs: Sequence[Model], fields: Iterable[Field]) -> None:
    """What ``pre_save`` does on insert for ``auto_now`` and ``auto_now_add`` fields: one time for all rows."""
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)


def _unique_key(model: type[Model]) -> tuple[str, ...]:
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None:
            return tuple(model._meta.get_field(name).attname for name in constraint.fields)
    for names in model._meta.unique_together:
        return tuple(model._meta.get_field(name).attname for name in names)
    raise ValueError(f"{model.__name__} has no unique constraint to read new primary keys back by")


def _insert_rows(
    model: type[Model], fields: Sequence[Field], rows: Sequence[tuple], *, batch_size: int
) -> None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for batch in _batches(rows, batch_size):
            cursor.executemany(sql, batch)


def bulk_insert(
    model: type[Model],
    objs: Sequence[Model],
    *,
    key: Sequence[str] | None = None,
    batch_size: int = BATCH_SIZE,
    set_pks: bool = True,
) -> None:
    """INSERT ``objs`` (without primary keys); then read their new keys back by ``key``.

    ``key`` : attnames of a unique constraint (default: the model's first UniqueConstraint). Rows inserted
    by others meanwhile have other keys, so reading back by key is safe under concurrency.
    """
    if not objs:
        return
    meta = model._meta
    db = router.db_for_write(model)
    connection = connections[db]
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    _stamp_auto_now(objs, fields)
    convert = [_converter(f, connection) for f in fields]
    names = [f.attname for f in fields]
    pk = meta.pk
    before = model._base_manager.using(db).aggregate(m=Max(pk.attname))["m"] if set_pks else None
    rows = [tuple(c(getattr(o, n)) for c, n in zip(convert, names, strict=True)) for o in objs]
    _insert_rows(model, fields, rows, batch_size=batch_size)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db
    if not set_pks or getattr(objs[0], pk.attname) is not None:
        return
    key = tuple(key or _unique_key(model))
    fresh = model._base_manager.using(db)
    if before is not None:
        fresh = fresh.filter(**{f"{pk.attname}__gt": before})
    by_key = {
        tuple(row[1:]): row[0] for row in fresh.values_list(pk.attname, *key).iterator(chunk_size=10000)
    }
    for obj in objs:
        setattr(obj, pk.attname, by_key[tuple(getattr(obj, k) for k in key)])


def bulk_update(
    model: type[Model], objs: Sequence[Model], fields: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> None:
    """UPDATE ``fields`` of ``objs`` by primary key, one prepared statement per batch."""
    if not objs:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    columns = [meta.get_field(name) for name in fields]  # as Django's bulk_update: auto_now is not stamped
    convert = [_converter(f, connection) for f in columns]
    names = [f.attname for f in columns]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in columns), quote(meta.pk.column)
    )
    with connection.cursor() as cursor:
        for batch in _batches(objs, batch_size):
            cursor.executemany(
                sql, [(*(c(getattr(o, n)) for c, n in zip(convert, names, strict=True)), o.pk) for o in batch]
            )


def history_insert(
    model: type[Model],
    objs: Sequence[Model],
    *,
    history_type: str,
    user: Model | None,
    reason: str,
    date: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """The simple-history rows of ``objs`` (which have primary keys): "+" created, "~" changed."""
    if not objs:
        return
    history_model = model.history.model  # type: ignore[attr-defined]
    connection = connections[router.db_for_write(history_model)]
    fields = [f for f in history_model._meta.concrete_fields if not f.primary_key]
    fixed = {
        "history_date": date or timezone.now(),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    constants = {f.attname: _converter(f, connection)(fixed[f.attname]) for f in fields if f.attname in fixed}
    columns = [(f.attname, _converter(f, connection)) for f in fields]
    rows = [
        tuple(
            constants[name] if name in constants else convert(getattr(obj, name)) for name, convert in columns
        )
        for obj in objs
    ]
    _insert_rows(history_model, fields, rows, batch_size=batch_size)


def bulk_create_with_history(
    objs: Sequence[Model],
    model: type[Model],
    batch_size: int | None = None,
    ignore_conflicts: bool = False,
    default_user: Model | None = None,
    default_change_reason: str = "",
    default_date: datetime | None = None,
    **_: Any,
) -> Sequence[Model]:
    """Drop-in for ``simple_history.utils.bulk_create_with_history`` (without ignore_conflicts)."""
    if ignore_conflicts:
        raise ValueError("common.bulk.bulk_create_with_history does not support ignore_conflicts")
    bulk_insert(model, objs, batch_size=batch_size or BATCH_SIZE)
    history_insert(
        model,
        objs,
        history_type="+",
        user=default_user,
        reason=default_change_reason,
        date=default_date,
        batch_size=batch_size or BATCH_SIZE,
    )
    return objs


def bulk_update_with_history(
    objs: Sequence[Model],
    model: type[Model],
    fields: Sequence[str],
    batch_size: int | None = None,
    default_user: Model | None = None,
    default_change_reason: str = "",
    default_date: datetime | None = None,
    **_: Any,
) -> int:
    """Drop-in for ``simple_history.utils.bulk_update_with_history``; returns the number of rows."""
    bulk_update(model, objs, fields, batch_size=batch_size or BATCH_SIZE)
    history_insert(
        model,
        objs,
        history_type="~",
        user=default_user,
        reason=default_change_reason,
        date=default_date,
        batch_size=batch_size or BATCH_SIZE,
    )
    return len(objs)
