"""kiosk.terminal"""
