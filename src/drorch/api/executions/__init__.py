"""/api/v1/executions: start, watch and steer runs of recovery plans."""
