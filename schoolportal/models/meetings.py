"""Report and introduction meetings: rounds, time slots, bookings."""
