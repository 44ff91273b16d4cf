from django.apps import AppConfig


class EntryConfig(AppConfig):
    name = "pmf.web.entry"
    label = "entry"
    verbose_name = "Data entry"
