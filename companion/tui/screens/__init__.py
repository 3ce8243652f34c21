"""One screen per feature; the app switches between them with ``App.MODES``."""
