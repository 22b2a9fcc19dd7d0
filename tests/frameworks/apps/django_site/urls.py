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
