"""The visitor's phone pages: a ticket's live page from its QR code (``/t/<token>``), its 好差评 once served,
and a booking's page (``/b/<code>``). Public: no login, nothing personal.

Layout::

    strings.py   every Chinese word of the phone pages (added to the web's table with ``ph_`` keys)
    present.py   a track view or a booking → what the page says (pure: no I/O, no clock reads)
    guard.py     rate limits per address and the bound on live streams (pure; the clock is passed in)
    watch.py     the tickets that open pages follow: one ``ticket.track`` for all of them when the hall
                 changes, and an event to each page whose ticket changed

The routes are ``kiosk.web.pages.phone``; the templates ``templates/phone_*.html``; the page's few lines
of ES5 ``static/phone.js`` (old Android WebViews and WeChat's browser run it; every page works without it).

Rule: a token is the only key to a ticket; a wrong, expired or malformed token gets the same page as
an unknown one, and the hub is never asked about a token of the wrong shape.
"""
