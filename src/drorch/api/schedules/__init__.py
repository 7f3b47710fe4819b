"""/api/v1/schedules."""
