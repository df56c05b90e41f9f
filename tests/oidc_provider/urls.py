from __future__ import annotations

import json

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def set_groups(request):
    """Test control: {"username": ..., "groups": [...]} replaces that person's groups."""
    body = json.loads(request.body)
    user = User.objects.get(username=body["username"])
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in body["groups"]])
    return JsonResponse({"groups": body["groups"]})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("_control/groups/", set_groups),
]
