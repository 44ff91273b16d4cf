"""Statutory returns: check a return's figures for a period, and export it in its template."""
