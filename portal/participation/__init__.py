"""Participation: priority ballots, needs surveys, proposals with supports and comments."""
