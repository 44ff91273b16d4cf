"""The accessibility statement of the deployment and of its published sites (ADR 0054).

Its organisation's parts (site name, contact, known problems, preparation dates) come from a
YAML file the deployment supplies (``PMF_ACCESSIBILITY``; ``config``); how accessible the
pages are comes from the axe-core results of pmf's browser tests, summarised in
``axe-results.json`` beside this module (``results``).
"""
