"""The client's pure domain: schedule, attendance, journal, catch-up, notices.

No I/O here: no sqlite3, no httpx, no textual (a test checks ``sys.modules``).
"""
