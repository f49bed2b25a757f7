"""Forms that get answered: permission slips per child, reminders, "gelezen en begrepen"."""
