"""Distribution rounds: entitlements snapshot from an approved recipient-list version,
invitations, handover at the point (offline too), stock and reconciliation, and the
check that aid arrived."""
