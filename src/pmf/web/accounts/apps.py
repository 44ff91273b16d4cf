from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pmf.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
