"""Helpers for the data-entry tests: download the real template, fill cells with openpyxl, upload it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

# The demo data set (loaded once per test session) covers 2020–2024; entry tests work on the next year, the
# one a county would be filling in now, so 2024 is "last year" and nothing of 2025 exists before a test.
PERIOD = 2025


@pytest.fixture
def download():
    def get(client, framework_code: str, period: int = PERIOD) -> bytes:
        response = client.get(reverse("collection:template", args=[framework_code, period]))
        assert response.status_code == 200, response.content[:500]
        return response.content

    return get


@pytest.fixture
def upload():
    def post(
        client,
        framework_code: str,
        content: bytes,
        *,
        name: str = "填报.xlsx",
        period: int = PERIOD,
        submit: bool = False,
        follow: bool = True,
    ):
        data = {"file": SimpleUploadedFile(name, content)}
        if submit:
            data["submit"] = "on"
        return client.post(reverse("collection:import", args=[framework_code, period]), data, follow=follow)

    return post
