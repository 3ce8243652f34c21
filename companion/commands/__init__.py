"""One module per group of `companion` subcommands; each exposes ``register(subparsers)``."""
