"""Reusable widgets: header, meters, week view, checklists, bar charts."""
