"""common.bulk: the fast writers behave like simple-history's bulk helpers (rows, keys, history)."""

from decimal import Decimal

from county_innovation.common import bulk
from county_innovation.indicators.models import DataValue, Indicator

PERIOD = 2025


def _values(indicator, codes, value):
    return [
        DataValue(region_id=code, period=PERIOD, indicator=indicator, value=Decimal(value), channel="import")
        for code in codes
    ]


def test_bulk_create_with_history_sets_keys_and_writes_history(users):
    indicator = Indicator.objects.get(code="town_tech_smes")
    codes = ["360121100", "360121101", "360121102"]
    objs = _values(indicator, codes, "12.5")
    bulk.bulk_create_with_history(
        objs, DataValue, default_user=users["county"], default_change_reason="CSV导入：x.csv"
    )
    stored = {v.region_id: v for v in DataValue.objects.filter(period=PERIOD, indicator=indicator)}
    assert sorted(stored) == codes
    assert [o.pk for o in objs] == [stored[c].pk for c in codes]
    assert all(v.value == Decimal("12.5") and v.updated_at is not None for v in stored.values())
    history = stored["360121101"].history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        users["county"],
        "CSV导入：x.csv",
    )
    assert (history.value, history.region_id, history.channel) == (Decimal("12.5"), "360121101", "import")


def test_bulk_update_with_history_changes_the_fields_and_adds_a_history_row(users):
    indicator = Indicator.objects.get(code="town_tech_smes")
    objs = _values(indicator, ["360121100", "360121101"], "3")
    bulk.bulk_create_with_history(objs, DataValue, default_user=users["county"], default_change_reason="a")
    for obj in objs:
        obj.value, obj.comment = Decimal("4"), "更正"
    count = bulk.bulk_update_with_history(
        objs,
        DataValue,
        ["value", "comment", "updated_at"],
        default_user=users["city_admin"],
        default_change_reason="b",
    )
    assert count == 2
    value = DataValue.objects.get(pk=objs[0].pk)
    assert (value.value, value.comment) == (Decimal("4"), "更正")
    latest = value.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason, latest.value) == (
        "~",
        users["city_admin"],
        "b",
        Decimal("4"),
    )
    assert value.history.count() == 2


def test_empty_lists_write_nothing(users):
    before = DataValue.history.count()
    bulk.bulk_create_with_history([], DataValue)
    bulk.bulk_update_with_history([], DataValue, ["value"])
    assert DataValue.history.count() == before
