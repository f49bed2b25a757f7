"""TODO docstring for tests."""
