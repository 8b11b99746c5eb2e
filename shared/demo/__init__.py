"""Demo data for the embedded default (`make run`): never loaded in production."""
