"""Append-only audit log of changes to personal data and of every decision."""
