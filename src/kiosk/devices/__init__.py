"""kiosk.devices: the ticket printer (ESC/POS over serial or /dev/usb/lp*) and
evdev input (QR scanner, touch panel, window keypad).

Rule: protocol work is pure and separate from I/O. ``escpos``, ``ticket`` and
``evdev_decode`` turn values into bytes and bytes into values; ``printer`` and
``input_device`` own the file descriptors; ``fake_printer`` is a byte-level
stand-in on a pty for tests and the demo. Errors live in ``errors``.
Submodules are imported explicitly; importing this package loads nothing.
"""
