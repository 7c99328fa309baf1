"""A refused request (403) is logged as one line with the reason, never as a traceback (issue 11, friction)."""

import logging

from django.urls import reverse


def test_a_403_is_logged_as_one_line_with_the_reason(client_for, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client_for("town").get(reverse("enterprises:pool"))
    assert response.status_code == 403

    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and record.exc_text is None
    line = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert "Forbidden" in line and reverse("enterprises:pool") in line
    assert "无权查看培育库" in line and "[GET t_liantang]" in line  # the reason and who was refused


def test_other_errors_keep_their_traceback(caplog):
    from county_innovation.common.logging import PermissionDeniedOneLine

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    record.status_code = 500
    assert PermissionDeniedOneLine().filter(record) and record.exc_info is not None
