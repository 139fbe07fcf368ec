"""kiosk.bridge"""
