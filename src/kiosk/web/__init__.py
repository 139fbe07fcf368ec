"""``kiosk web``: the staff consoles in a browser (窗口, 导办台, 主任, 技术员) and the visitor's phone pages.

A role like the others: it imports core, protocol, bus, system and config, never another role, and never
opens the hub's database. It speaks the MQTT contract as the provisioned identity ``web``: it reads retained
state, sends the requests its staff may send (``kiosk.protocol.roles``), writes ``window/<w>/staff`` and
``content/<id>``. Its own state (staff accounts, the cookie key, the audit log) is ``web.sqlite3`` in
``[web] state_dir``.

Layout::

    settings.py   [web] config → WebSettings (refuses broken config: file, key, reason)
    accounts.py   staff accounts (scrypt), lock-out, audit log — web.sqlite3
    sessions.py   signed expiring cookies, CSRF tokens (pure)
    link.py       the MQTT link: paho thread → asyncio, retained-state cache, requests, live events
    site.py       Site: page registration, login/role checks, CSRF middleware, templates; Ctx per request
    strings.py    every Chinese word of the consoles (page modules add theirs with strings.add)
    app.py        build_site() and serve(): aiohttp server, systemd notify + watchdog
    main.py       the ``kiosk web`` and ``kiosk staff`` commands
    pages/        one module per console, each with routes(site)
    templates/    Jinja2 templates (autoescaped); base.html is the frame of every page
    static/       console.css, console.js (SSE refresh, shortcuts, chime); no build step

Adding pages (e.g. the director's ledgers, or the public phone pages under ``/t/<token>``): create
``pages/<name>.py`` with a function ``routes(site)`` — it is found by name, nothing else is edited::

    from ..site import Ctx, Site, form_of, redirect
    from .. import strings
    strings.add({"ledger_title": "差评整改台账"})

    async def ledger(request, ctx: Ctx):
        rows = (await ctx.ask("case.list"))["cases"]
        return ctx.render("ledger.html", rows=rows)       # templates/ledger.html extends base.html

    def routes(site: Site) -> None:
        site.get("/director/ledger", ledger, roles=("director",), menu="台账")   # a staff page
        site.get("/t/{token}", phone_page, roles=None)                            # public: no login

Every route goes through the same checks: ``roles`` names the staff roles that may open it (``None``:
public); a POST without the CSRF token of its session is refused before the handler runs (forms include
``<input type="hidden" name="csrf" value="{{ csrf }}">``; scripts send the ``X-CSRF-Token`` header);
``ctx.staff`` is the login and the only source of a ``by``; ``ctx.audit(action, target, **detail)`` records
who did what; ``ctx.ask(op, **args)`` sends a request to the hub and raises ``HubError`` on a refusal.
Live pages set ``data-live="board window_state …"`` on ``<body>`` and are re-read when that state changes.
"""
