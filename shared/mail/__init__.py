"""Mail: rendered into an outbox row in the domain transaction, sent later by a retrying worker."""
