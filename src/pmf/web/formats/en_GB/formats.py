"""Date formats for British English pages: one for people everywhere, "6 December 2026, 14:05".

Django's own en_GB formats abbreviate the month ("6 Dec 2026") and write "2:05 p.m."; pmf
writes dates as its papers and the GOV.UK style guide do (``pmf.core.text.format_date``).
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
