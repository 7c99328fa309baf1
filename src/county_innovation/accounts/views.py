"""Login and logout, in Chinese; lockout after repeated failures is django-axes'."""

from django.contrib.auth import views as auth_views

from county_innovation.accounts.demo import DEMO_ACCOUNTS
from county_innovation.accounts.forms import LoginForm
from county_innovation.web.models import DemoDataset


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        # The demo passwords exist only while demo data is loaded; they are shown so a visitor can try each role.
        context["demo_accounts"] = DEMO_ACCOUNTS if DemoDataset.objects.exists() else []
        return context


class LogoutView(auth_views.LogoutView):
    pass
