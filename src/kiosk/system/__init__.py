"""The machine a role runs on: systemd's notify protocol, the state folder's lock, backups.

Rule: shared by every role (hub, terminal, display, …) and by the staff tools; imports nothing from a
role. Objects, no module-level state: each process builds what it needs from its environment once.
"""
