"""Access requests: people asking for an account, and how staff answer them."""
