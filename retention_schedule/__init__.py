"""Retention schedule: record classes, their retention periods and what happens at the end.

This app stands alone: it never imports ``privacy_notices``.
"""
