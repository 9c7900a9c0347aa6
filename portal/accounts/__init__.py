"""Accounts: login, logout, roles."""
