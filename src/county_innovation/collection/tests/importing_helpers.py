"""What the import tests share: an open round for 2025, files built as users' programs build them."""

import datetime as dt
import io
import re
import zipfile

from django.utils import timezone

from county_innovation.collection import selectors
from county_innovation.collection.models import CollectionRound, ImportBatch
from county_innovation.collection.services import rounds
from county_innovation.indicators.models import DataValue, Framework

PERIOD = 2025  # the demo covers 2020–2024
LIANTANG, XIANGTANG = "360121100", "360121101"  # towns of 南昌县, the county officer's county


def open_round(admin, code: str, period: int = PERIOD) -> CollectionRound:
    """The open round of ``code`` for ``period`` (the demo opens 2025's), created when missing."""
    framework = Framework.objects.filter(code=code).order_by("-version").first()
    existing = selectors.round_for(framework, period)
    if existing is not None:
        assert existing.status == CollectionRound.Status.OPEN
        return existing
    today = timezone.localdate()
    return rounds.round_create(
        actor=admin,
        framework=framework,
        period=period,
        opens_on=today,
        deadline=today + dt.timedelta(days=30),
    )


def nothing_written(period: int = PERIOD) -> bool:
    return not DataValue.objects.filter(period=period).exists() and not ImportBatch.objects.exists()


def csv_bytes(
    rows: list[list[object]], encoding: str = "utf-8", header=("区划代码", "指标代码", "数值")
) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_part_replace(content: bytes, part: str, old: str, new: str) -> bytes:
    """Rewrite one XML part of an .xlsx, e.g. to give a formula the cached result Excel would store."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode()
                assert re.search(re.escape(old), text), text[:2000]
                data = text.replace(old, new).encode()
            target.writestr(item, data)
    return out.getvalue()
