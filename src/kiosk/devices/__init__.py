"""kiosk.devices: the ticket printer (ESC/POS over serial or /dev/usb/lp*), the
resident ID card reader (GA 467 framing over serial) and evdev input (QR
scanner, touch panel, window keypad).

Rule: protocol work is pure and separate from I/O. ``escpos``, ``ticket``, ``ga467``
and ``evdev_decode`` turn values into bytes and bytes into values; ``printer``,
``idreader`` and ``input_device`` own the file descriptors; ``fake_printer`` and
``fake_idreader`` are byte-level stand-ins on a pty for tests and the demo. Errors live in ``errors``.
Submodules are imported explicitly; importing this package loads nothing.
"""
