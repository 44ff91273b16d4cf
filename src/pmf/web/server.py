"""Run pmf production-style: gunicorn serving the WSGI application, WhiteNoise the static files."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class PmfServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn, configured in code instead of a file, serving ``pmf.web.wsgi``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from pmf.web.wsgi import application

        return application


def serve(host: str, port: int, workers: int) -> None:
    """Collect the static files and serve until interrupted."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    PmfServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
        }
    ).run()
