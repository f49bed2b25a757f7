"""invitations."""
