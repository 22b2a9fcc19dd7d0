"""The drf_session variant: a Django REST framework view behind SessionAuthentication."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.decorators import api_view
from rest_framework.response import Response


@csrf_exempt
def drf_login(request):
    """Sets the session (exempt, so that the DRF view is what the CSRF check is about)."""
    request.session["user"] = "alice"
    return JsonResponse({"user": "alice"})


@api_view(["GET", "POST"])
def items(request):
    """SessionAuthentication authenticates the session's user and enforces CSRF on POST."""
    return Response({"user": getattr(request.user, "username", None)}, status=201)
