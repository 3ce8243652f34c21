"""Everything that crosses the network: wire models, the client's outbox, the program server."""
