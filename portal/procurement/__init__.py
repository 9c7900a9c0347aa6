"""Local suppliers, purchases with quotes, deliveries into a round's stock, packaging."""
