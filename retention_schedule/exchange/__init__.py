"""The retention schedule in and out of files: CSV, XLSX and JSON.

``columns`` says what a schedule file holds; the other modules read, check,
import and write files in that shape, so that an export re-imports unchanged.
"""
