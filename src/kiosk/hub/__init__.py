"""kiosk.hub"""
