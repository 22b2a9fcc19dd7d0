from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

USERS = [{"id": 1, "name": "alice"}]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def users(request):
    if request.method == "POST":
        return JsonResponse({"id": 2}, status=201)
    resp = JsonResponse(USERS, safe=False)
    resp["X-Request-ID"] = "req-1"
    resp["X-Total-Count"] = str(len(USERS))
    return resp


@csrf_exempt
@require_http_methods(["GET", "PUT"])
def user_detail(request, user_id):
    return JsonResponse({"id": user_id, "name": "alice"})


@csrf_exempt
def boom(request):
    raise RuntimeError("boom")


@csrf_exempt
def private(request):
    if request.headers.get("Authorization") != "Bearer good":
        resp = JsonResponse({"detail": "Not authenticated"}, status=401)
        resp["WWW-Authenticate"] = "Bearer"
        return resp
    return JsonResponse({"secret": 42})


@csrf_exempt
def slash(request):
    return JsonResponse({"ok": True})


@require_http_methods(["POST"])
def login(request):
    """Session login behind the CSRF middleware (not exempt): the csrf_session variant."""
    request.session["user"] = "alice"
    return JsonResponse({"user": "alice"})


@csrf_exempt
def me(request):
    user = request.session.get("user") if hasattr(request, "session") else None
    if user is None:
        return JsonResponse({"detail": "Not authenticated"}, status=401)
    return JsonResponse({"user": user})


class SessionUser:
    """The drf_session variant's stand-in for AuthenticationMiddleware without a database:
    request.user is an active user when the session names one, else None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get("user")
        request.user = _User(name) if name else None
        return self.get_response(request)


class _User:
    is_active = is_authenticated = True

    def __init__(self, name):
        self.username = name
