"""kiosk.core"""
