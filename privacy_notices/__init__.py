"""Structured, versioned privacy notices for Wagtail, one per audience."""
