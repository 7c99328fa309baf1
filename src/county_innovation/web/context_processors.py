"""What every page needs: the demo-data label, the user's role and scope, and the navigation they may use."""

from django.http import HttpRequest

from county_innovation.accounts import permissions
from county_innovation.collection.policies import data
from county_innovation.common.models import DemoDataset


def platform(request: HttpRequest) -> dict:
    user = request.user
    demo = DemoDataset.objects.order_by("-loaded_at").first()
    return {
        "demo_dataset": demo,
        "scope_root": permissions.scope_root(user) if user.is_authenticated else None,
        "is_city_admin": permissions.is_city_admin(user),
        "can_enter_data": data.allows(user, "enter"),
        "shows_api_docs": permissions.uses_api(user),
    }
