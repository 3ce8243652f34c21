"""User actions: what the CLI and the TUI both call. Each write is one store transaction.

These functions glue the pure domain to the store; they hold no SQL of their own beyond
calling ``companion.store`` repositories, and no HTTP.
"""
