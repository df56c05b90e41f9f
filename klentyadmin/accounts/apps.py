from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klentyadmin.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from klentyadmin.accounts import idle_sessions  # noqa: F401  (its signal receiver)
