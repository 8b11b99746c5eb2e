"""Privacy (AVG): what is held about a patron, exported on request and erased on request."""
