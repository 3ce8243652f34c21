"""The client's terminal app (Textual): a thin shell over ``companion.actions``."""
