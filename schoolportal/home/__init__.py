"""The home page: what matters today for a parent, a teacher or the office."""
