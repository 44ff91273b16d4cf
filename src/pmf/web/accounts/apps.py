from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pmf.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from pmf.web.i18n import install_core_translations

        install_core_translations()
