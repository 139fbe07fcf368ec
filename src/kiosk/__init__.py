"""Huangtan convenience service centre: queue hub, kiosk, wall display."""
__version__ = "0.1.0"
