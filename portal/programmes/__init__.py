"""The aid programmes (Programme, AID_TYPES): below every feature, beside the registry."""
