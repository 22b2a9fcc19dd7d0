from django.conf import settings
from django.urls import path

from . import views

urlpatterns = [
    path("api/users", views.users),
    path("api/users/<int:user_id>", views.user_detail),
    path("api/boom", views.boom),
    path("api/private", views.private),
    path("api/login", views.login),
    path("api/me", views.me),
    path("api/slash/", views.slash),  # trailing slash: /api/slash -> APPEND_SLASH 301
]

if settings.VARIANT == "drf_session":
    from .drf import drf_login, items

    urlpatterns += [path("api/drf/login", drf_login), path("api/drf/items", items)]
