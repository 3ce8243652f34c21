"""The program server: HTTP API, storage, coordinator dashboard, calendar feeds."""
