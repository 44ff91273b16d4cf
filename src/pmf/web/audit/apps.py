from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pmf.web.audit"
    label = "audit"
    verbose_name = "Audit trail"
