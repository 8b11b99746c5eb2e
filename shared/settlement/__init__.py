"""Settlement: what a payment's new status sets in motion across the domain (a patron made, a
period extended, a balance paid, a failed collection owed), and paying for a registration,
which may find an earlier attempt paid and settle it first."""
