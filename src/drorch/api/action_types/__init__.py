"""/api/v1/action-types: the action step types a plan may use."""
