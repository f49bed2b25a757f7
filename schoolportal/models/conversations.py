"""Private conversations between parents and staff, and the group directory."""
