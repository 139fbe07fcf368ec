"""kiosk.bus"""
