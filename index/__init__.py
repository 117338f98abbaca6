"""Turn reply documents into a searchable index: load, parse, chunk, embed, store."""
