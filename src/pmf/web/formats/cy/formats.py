"""Date formats for Welsh pages, as the British English ones: "7 Rhagfyr 2026, 14:05".

Django names the months in Welsh from its own catalogue; the order and the 24-hour clock are
those of ``pmf.web.formats.en_GB`` and ``pmf.core.text.format_date``.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
