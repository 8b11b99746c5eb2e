"""The life of a membership after signup: cancellation (renewal and changes come next)."""
