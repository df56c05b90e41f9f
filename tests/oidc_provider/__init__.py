"""A small OpenID Connect provider for the tests: django-oauth-toolkit on loopback.

Its own Django project, run as its own process by tests/fixtures/oidc.py with
`python -m tests.oidc_provider --port 0`: an RS256 key made at start, a confidential
client for klentyadmin, and people whose groups go into the ID token and userinfo.
"""
