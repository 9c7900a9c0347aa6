"""The recipient registry: households (KK), members (NIK), need scoring, duplicates."""
