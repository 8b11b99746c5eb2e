"""The harness of `make bench`: seeded databases, servers as programs, load, figures side by
side."""
