"""Who may see how the portal runs: admins see the system page; /healthz shows no data.

No object of this area is reached by id, so it declares no finder.
"""

FINDERS = {}
