"""Execution reports (HTML, PDF) and history export: data gathered once, rendered apart.

`model` holds the report's facts, `gather` reads them from the store, `html` and `pdf`
render them, `export` writes the history as CSV or JSON. Steps and actions (a later
issue) add a section to the model and to each renderer; nothing else changes.
"""
