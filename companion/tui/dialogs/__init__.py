"""Modal dialogs, each typed by the result it returns."""
