"""``marginspec evaluate``: every derived figure of an account snapshot (placeholder until the CLI lands)."""
