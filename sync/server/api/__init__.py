"""The HTTP API v1: one router module per resource; shared dependencies in ``deps``."""
