"""The people and the client the test identity provider starts with."""

from __future__ import annotations

CLIENT_ID = "klentyadmin-tests"
CLIENT_SECRET = "klentyadmin-tests-secret"
PASSWORD = "idp-password"
# Loopback redirect URIs match whatever port the console listens on (RFC 8252 7.3).
REDIRECT_URI = "http://127.0.0.1/accounts/oidc/sso/login/callback/"

# username: (email, first name, last name, groups)
PEOPLE = {
    "ada": ("ada.admin@northwind.example", "Ada", "Admin", ["klenty-admins"]),
    "mona": ("mona.manager@northwind.example", "Mona", "Manager", ["sales-managers", "staff"]),
    "rafa": ("rafa.rep@northwind.example", "Rafa", "Rep", ["sales-reps"]),
    "nico": ("nico.nogroup@northwind.example", "Nico", "Nogroup", ["marketing"]),
    "olga": ("olga@outsider.example", "Olga", "Outsider", ["sales-reps"]),
}
