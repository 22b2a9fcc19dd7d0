"""Run one test server:  python serve.py FRAMEWORK VARIANT [PORT]

PORT defaults to 0 (an ephemeral port chosen by the OS).  Once the socket is
bound the server prints one line with its real address, which the pytest
fixture waits for:

    fastapi / flask / django-without-checks:
        corsprobe test server listening on http://127.0.0.1:PORT/
    django via runserver:
        Starting development server at http://127.0.0.1:PORT/

Servers: FastAPI -> uvicorn; Flask -> Werkzeug's dev server (threaded, no
debug); Django -> ``manage.py runserver --noreload`` (system checks run), or,
for variants whose settings fail those checks (DJANGO_NO_CHECKS), the same
WSGIServer through ``django.core.servers.basehttp.run`` without checks.
The process exits by itself when its parent dies.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from variants import DJANGO_NO_CHECKS, check  # noqa: E402

HOST = "127.0.0.1"


def announce(port: int) -> None:
    print(f"corsprobe test server listening on http://{HOST}:{port}/", flush=True)


def exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def serve_fastapi(variant: str, port: int) -> None:
    import uvicorn
    from fastapi_app import create_app

    app = create_app(variant)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    announce(sock.getsockname()[1])
    server.run(sockets=[sock])


def serve_flask(variant: str, port: int) -> None:
    import logging

    from flask_app import create_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no per-request lines
    server = make_server(HOST, port, create_app(variant), threaded=True)
    announce(server.port)
    server.serve_forever()


def serve_django(variant: str, port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_site.settings"
    os.environ["CORSPROBE_DJANGO_VARIANT"] = variant
    if variant in DJANGO_NO_CHECKS:
        import django

        django.setup()
        from django.core.servers.basehttp import run
        from django.core.wsgi import get_wsgi_application

        run(HOST, port, get_wsgi_application(), threading=True, on_bind=announce)
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "runserver", "--noreload", f"{HOST}:{port}"])


def main(argv: list[str]) -> None:
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    framework, variant = argv[0], argv[1]
    port = int(argv[2]) if len(argv) == 3 else 0
    check(framework, variant)
    exit_with_parent()
    {"fastapi": serve_fastapi, "flask": serve_flask, "django": serve_django}[framework](
        variant, port
    )


if __name__ == "__main__":
    main(sys.argv[1:])
