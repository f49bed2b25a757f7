"""Running the portal for years: backups and restores, /healthz, the admins' system page."""
