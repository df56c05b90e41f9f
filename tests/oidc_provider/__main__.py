"""`python -m tests.oidc_provider --port 0`: prints "OIDC provider listening on <url>"."""

from __future__ import annotations

import argparse
import os
import socketserver
import sys
import tempfile
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def rsa_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def seed() -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    from tests.oidc_provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE, REDIRECT_URI

    for username, (email, first, last, groups) in PEOPLE.items():
        user = User.objects.create_user(username, email, PASSWORD, first_name=first, last_name=last)
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    Application.objects.create(
        name="klentyadmin",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="oidc-provider-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_DB"] = os.path.join(folder, "idp.sqlite3")
    os.environ["OIDC_PROVIDER_RSA_KEY"] = rsa_key_pem()

    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    seed()
    server = make_server(
        "127.0.0.1", args.port, get_wsgi_application(), ThreadingServer, QuietHandler
    )
    print(f"OIDC provider listening on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
