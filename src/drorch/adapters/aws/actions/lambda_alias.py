"""`lambda_alias` over Lambda: point an alias at a version, remembering the previous one.

Like a Route 53 change, a repeated update would forget the real previous version, so the
previous version is first written to a tag on the function named after the step's key;
`reconcile` finds the step done when that tag exists and the alias holds the new version.
"""

from __future__ import annotations

from collections.abc import Mapping

from drorch.adapters.aws.actions.base import AwsExecutor, memo_tag, succeeded
from drorch.domain.steps.lambda_alias import LambdaAliasParams
from drorch.ports.steps import StepCall, StepProgress


def _params(call: StepCall) -> LambdaAliasParams:
    return LambdaAliasParams.model_validate(call.params)


class LambdaAlias(AwsExecutor):
    """Updates the alias (done at once); undo points it back at the remembered version."""

    service = "lambda"

    def _alias_version(self, call: StepCall, p: LambdaAliasParams) -> str:
        answer = self.client(call).get_alias(FunctionName=p.function_name, Name=p.alias)
        return str(answer["FunctionVersion"])

    def _function_arn(self, call: StepCall, p: LambdaAliasParams) -> str:
        answer = self.client(call).get_function(FunctionName=p.function_name)
        return str(answer["Configuration"]["FunctionArn"]).split(":alias:")[0]

    def _memo(self, call: StepCall, arn: str) -> str | None:
        tags = self.client(call).list_tags(Resource=arn).get("Tags", {})
        found = tags.get(memo_tag(call))
        return None if found is None else str(found)

    def _start(self, call: StepCall) -> StepProgress:
        p = _params(call)
        arn = self._function_arn(call, p)
        previous = self._memo(call, arn)
        if previous is None:
            previous = self._alias_version(call, p)
            self.client(call).tag_resource(Resource=arn, Tags={memo_tag(call): previous})
        self.client(call).update_alias(
            FunctionName=p.function_name, Name=p.alias, FunctionVersion=p.version
        )
        output = {"alias": p.alias, "version": p.version, "previous_version": previous}
        return succeeded(output, previous_version=previous, function_arn=arn)

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        p = _params(call)
        arn = self._function_arn(call, p)
        previous = self._memo(call, arn)
        if previous is None or self._alias_version(call, p) != p.version:
            return None
        output = {"alias": p.alias, "version": p.version, "previous_version": previous}
        return succeeded(output, previous_version=previous, function_arn=arn)

    def _undo(self, call: StepCall, changed: Mapping[str, object]) -> StepProgress:
        p = _params(call)
        previous = str(changed["previous_version"])
        self.client(call).update_alias(
            FunctionName=p.function_name, Name=p.alias, FunctionVersion=previous
        )
        arn = str(changed.get("function_arn") or self._function_arn(call, p))
        self.client(call).untag_resource(Resource=arn, TagKeys=[memo_tag(call)])
        return succeeded({"alias": p.alias, "version": previous})

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        current = self._alias_version(call, p)
        self.client(call).get_function(FunctionName=p.function_name, Qualifier=p.version)
        return succeeded({"would": f"point {p.alias} from {current} to {p.version}"})
