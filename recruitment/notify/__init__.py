"""SMS notifications: the outbox written in the same transaction as each event, and the gateways."""
