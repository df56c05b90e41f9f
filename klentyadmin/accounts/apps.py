from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klentyadmin.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
