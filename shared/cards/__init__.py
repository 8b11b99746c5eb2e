"""Library cards: numbers, the main card, issuing and blocking."""
