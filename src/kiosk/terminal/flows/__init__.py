"""The terminal's flows as pure state machines (events in, effects out); see :mod:`.base` and
docs/terminal.md. Screens are views of a flow's state (:mod:`kiosk.terminal.flow_screen`)."""
