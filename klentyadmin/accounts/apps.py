from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klentyadmin.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from allauth.socialaccount.models import SocialApp, SocialToken
        from django.contrib import admin

        from klentyadmin.accounts import idle_sessions  # noqa: F401  (its signal receiver)

        # Identity providers and their secrets come from the environment only (the
        # adapter ignores database-backed ones), and no provider token is kept, so
        # the Django admin does not offer them. django.contrib.admin, first in
        # INSTALLED_APPS, has registered every app's admin by now.
        for model in (SocialApp, SocialToken):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
