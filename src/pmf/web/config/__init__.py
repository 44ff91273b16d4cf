"""How the web application is put together: Django's settings, the root URLs and the WSGI entry point."""
