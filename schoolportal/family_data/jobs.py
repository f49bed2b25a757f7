"""Family data's daily work: carrying out erasures and scheduling those of families who left."""

from schoolportal.family_data import erasure

RETENTION_RULES = (erasure.ErasureRule, erasure.LeaverRule)
