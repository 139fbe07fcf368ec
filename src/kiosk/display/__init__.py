"""kiosk.display — the wall calling board, the 政务公开 information screen and the voice announcements.

Rule: wiring of the shared ``kiosk.ui`` toolkit, the MQTT contract (``kiosk.protocol``) and the bus.
Nothing here writes hall state: the display only draws what the hub retained and announces ``call``
events. Importing this package never initialises pygame. See docs/display.md.
"""
