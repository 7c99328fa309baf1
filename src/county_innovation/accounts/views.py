"""Login, logout and changing one's own password, in Chinese; lockout after repeated failures is django-axes'."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from county_innovation.accounts.demo import DEMO_ACCOUNTS
from county_innovation.accounts.forms import LoginForm
from county_innovation.common.models import DemoDataset


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


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every signed-in user changes their own password (an expert replaces the initial one from the 专家库)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改，下次登录请使用新密码。")
        return super().form_valid(form)
