"""Put the web application together: Django's settings, the root URLs, the WSGI entry point."""
