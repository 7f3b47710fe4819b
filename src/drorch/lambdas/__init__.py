"""Thin AWS Lambda entry points over bootstrap (docs/engine.md, "Running on AWS").

Handlers: `api.handler` (API Gateway HTTP API), `advance.handler` and
`advance.record_failure` (the state machine's Advance and RecordFailure), `sleep.handler`
(its Sleep: keeps the task token), `wake.handler` (DRS EventBridge events, operator
wake-ups), `schedule.handler` (due schedules). Nothing is imported here, so a cold start
pays only for the handler it runs.
"""
