"""The reviewer's submission page: last year's value and each unexplained warning beside
every value; a warning disappears once its explanation (说明) is written."""

from decimal import Decimal

from django.urls import reverse

from county_innovation.collection.models import Submission
from county_innovation.indicators.models import DataValue, Indicator

PERIOD, LIANTANG = 2025, "360121100"


def test_review_page_shows_last_year_and_the_warning_until_it_is_explained(demo, users, client_for):
    indicator = Indicator.objects.get(code="town_patents_granted")
    last = DataValue.objects.get(region_id=LIANTANG, period=PERIOD - 1, indicator=indicator).value
    dv = DataValue.objects.create(
        region_id=LIANTANG, period=PERIOD, indicator=indicator, value=last * 4 + 10, status="draft"
    )
    sub = Submission.objects.get(round__framework__code="town", round__period=PERIOD, region_id=LIANTANG)
    client = client_for("county")
    url = reverse("collection:submission_detail", args=[sub.pk])
    page = client.get(url).content.decode()
    row = page.split('data-indicator="town_patents_granted"')[1].split("</tr>")[0]
    shown_last = format(Decimal(last).normalize(), "f")
    assert f'data-testid="last-year">{shown_last}<' in row
    assert 'data-testid="warning"' in row and "较上年" in row
    dv.comment = "新建产业园两家企业集中授权"
    dv.save()
    row = client.get(url).content.decode().split('data-indicator="town_patents_granted"')[1].split("</tr>")[0]
    assert 'data-testid="warning"' not in row and "集中授权" in row
