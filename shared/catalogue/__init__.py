"""The library organisation's catalogue data: subscriptions and branches, loaded from files."""
