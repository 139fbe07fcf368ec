"""kiosk.tools"""
