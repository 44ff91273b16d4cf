"""Build a cycle's papers, and the year's, as ``pmf.reports.document.Document``: one module each.

``board`` is the board paper, ``exceptions`` the exception report, ``outcomes`` the quarterly
outcomes report and ``annual`` the annual report; ``common`` holds what more than one reads.
Every number comes from the cycle as it was locked: its framework, the figures held at the
lock, its recorded grades. The charts are ``pmf.reports.charts``', as the pages draw them.
"""
