"""Form helpers shared by the apps' views."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def form_errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    """Show every error of a refused form as a Chinese message on the next page."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
