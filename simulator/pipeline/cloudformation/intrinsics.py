"""CloudFormation's intrinsic functions evaluated locally, short (`!Sub`) and long (`Fn::Sub`) forms alike.

An evaluation never stops at the first problem: each one is recorded as a diagnostic at the function that could not
be evaluated, and the value becomes UNRESOLVED, which every enclosing function passes on without a second message.
What cannot have a local value is an error naming it (`!ImportValue`, a parameter with no value, a missing
resource), never an empty string. Choices where CloudFormation has no local answer:
- Pseudo parameters: region us-east-1, account 000000000000, stack name from the file's name; `--parameter`
  may set `AWS::Region`, `AWS::AccountId` and `AWS::StackName` (CloudFormation's own CLI has no such flag).
- `Fn::GetAZs` gives the region's a, b and c zones.
"""

from __future__ import annotations

import base64
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final

from simulator.diagnostics import Diagnostic, Loc, Tagged, describe, quote
from simulator.pipeline.cloudformation import arns
from simulator.pipeline.cloudformation.source import TemplateSource
from simulator.pipeline.model import Where

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "000000000000"
SETTABLE_PSEUDO_PARAMETERS = ("AWS::Region", "AWS::AccountId", "AWS::StackName")


class _NoValue:
    """`AWS::NoValue`: the key or list item holding it is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


class _Unresolved(str):
    """A value that could not be evaluated; the reason is already a diagnostic."""

    __slots__ = ()


NO_VALUE: Final = _NoValue()
UNRESOLVED: Final = _Unresolved("<unresolved>")

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LIST_TYPES = ("CommaDelimitedList", "List<")
_UNSUPPORTED = ("Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::ForEach")


def function_call(value: object, loc: Loc) -> tuple[str, object, Loc] | None:
    """The function a value calls, its arguments and their location; None for plain values."""
    if isinstance(value, Tagged):
        tag = value.tag[1:]
        return ("Ref" if tag == "Ref" else "Condition" if tag == "Condition" else f"Fn::{tag}"), value.value, loc
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key == "Ref" or key.startswith("Fn::"):
            return key, value[key], (*loc, key)
    return None


class Evaluator:
    def __init__(self, source: TemplateSource, given: Mapping[str, str], stack_name: str) -> None:
        self.source = source
        self.errors: list[Diagnostic] = []
        self.secret_values: list[str] = []
        region = given.get("AWS::Region", DEFAULT_REGION)
        account_id = given.get("AWS::AccountId", DEFAULT_ACCOUNT_ID)
        stack = given.get("AWS::StackName", stack_name)
        self.account = arns.Account("aws", region, account_id, "amazonaws.com")
        self.pseudo: dict[str, object] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack}/"
            "00000000-0000-0000-0000-000000000000",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        self._conditions: dict[str, bool | None] = {}
        self._names: dict[str, str] = {}
        self._open: set[str] = set()
        self.parameters = self._parameter_values(given)

    # -- values --------------------------------------------------------------------------------------------------

    def value(self, raw: object, loc: Loc) -> object:
        """The evaluated value: text, lists, mappings (NO_VALUE entries removed), booleans of conditions."""
        call = function_call(raw, loc)
        if call is not None:
            name, args, args_loc = call
            return self._call(name, args, args_loc, self._where_of(raw, loc))
        if isinstance(raw, dict):
            evaluated = {key: self.value(item, (*loc, key)) for key, item in raw.items()}
            return {key: item for key, item in evaluated.items() if item is not NO_VALUE}
        if isinstance(raw, list):
            items = [self.value(item, (*loc, index)) for index, item in enumerate(raw)]
            return [item for item in items if item is not NO_VALUE]
        return raw

    def condition(self, name: str, where: Where) -> bool | None:
        """A named condition of the Conditions section; None when it could not be evaluated (already said)."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.source.conditions:
            self._fail(where, f"no condition named {quote(name)} in Conditions{_suggest(name, self.source.conditions)}")
            return None
        key = f"Conditions.{name}"
        if key in self._open:
            self._fail(where, f"the condition {quote(name)} depends on itself")
            return None
        self._open.add(key)
        try:
            result = self._truth(self.source.conditions[name], ("Conditions", name))
        finally:
            self._open.discard(key)
        self._conditions[name] = result
        return result

    def physical_name(self, logical_id: str) -> str:
        if logical_id in self._names:
            return self._names[logical_id]
        resource = self.source.resources[logical_id]
        prop = arns.NAME_PROPERTIES.get(resource.type)
        raw = resource.properties.get(prop) if prop else None
        name = logical_id
        key = f"Resources.{logical_id}"
        if raw is not None and key not in self._open:
            self._open.add(key)
            try:
                value = self.value(raw, ("Resources", logical_id, "Properties", str(prop)))
            finally:
                self._open.discard(key)
            if isinstance(value, str):
                name = value
        self._names[logical_id] = name
        return name

    def check_references(self) -> None:
        """Every `Ref`, `GetAtt` and `${}` of the Resources and Outputs names something the template has, as
        CloudFormation checks before it creates anything, even where the pipeline never looks."""
        known = {*self.parameters, *self.pseudo, *self.source.resources, "AWS::NoValue"}
        for section in ("Resources", "Outputs"):
            for name, where, attribute in self._referenced_names(section):
                if name in known:
                    continue
                if attribute is None:
                    self._fail(where, _missing_name(name, known))
                else:
                    self._fail(where, _missing_resource(name, attribute, self.source.resources))

    # -- helpers -------------------------------------------------------------------------------------------------

    def _fail(self, where: Where, message: str) -> _Unresolved:
        self.errors.append(Diagnostic(where.path, where.line, where.column, "error", message))
        return UNRESOLVED

    def _where_of(self, raw: object, loc: Loc) -> Where:
        if isinstance(raw, Tagged):
            return Where(self.source.path, raw.line, raw.column)
        call = function_call(raw, loc)
        if call is not None:  # the long form: point at the function's key, `Fn::Sub`
            return self.source.where(call[2], at_key=True)
        return self.source.where(loc)

    def _text(self, raw: object, loc: Loc, what: str, where: Where) -> str:
        value = self.value(raw, loc)
        if isinstance(value, str):
            return value
        return self._fail(where, f"{what} must be text, not {_kind(value)}")

    def _items(self, raw: object, loc: Loc, what: str, where: Where) -> list[object] | _Unresolved:
        value = self.value(raw, loc)
        if isinstance(value, list):
            return value
        if value is UNRESOLVED:
            return UNRESOLVED
        return self._fail(where, f"{what} must be a list, not {_kind(value)}")

    def _arguments(self, name: str, args: object, count: int, where: Where) -> list[object] | None:
        if isinstance(args, list) and len(args) == count:
            return args
        self._fail(where, f"{_short(name)} takes a list of {count} values, not {_kind(args)}")
        return None

    def _truth(self, raw: object, loc: Loc) -> bool | None:
        """A condition expression: a condition function or a reference to a named condition."""
        if isinstance(raw, dict) and list(raw) == ["Condition"] and isinstance(raw["Condition"], str):
            return self.condition(raw["Condition"], self.source.where((*loc, "Condition")))
        value = self.value(raw, loc)
        if isinstance(value, bool):
            return value
        if value is not UNRESOLVED:
            message = "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition"
            self._fail(self._where_of(raw, loc), f"{message}, not {_kind(value)}")
        return None

    def _parameter_values(self, given: Mapping[str, str]) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, declaration in self.source.parameters.items():
            where = self.source.where(("Parameters", name), at_key=True)
            default = declaration.get("Default")
            if name in given:
                text: object = given[name]
            elif default is not None:
                text = default
            else:
                message = f"the parameter {quote(name)} has no Default: give it a value with --parameter {name}=VALUE"
                values[name] = self._fail(where, message)
                continue
            if not isinstance(text, str):
                values[name] = self._fail(where, f"the parameter {quote(name)}'s Default must be text")
                continue
            secret = str(declaration.get("NoEcho", "false")).lower() == "true"
            allowed = declaration.get("AllowedValues")
            if isinstance(allowed, list) and text not in allowed:
                shown = "the value given" if secret else repr(text)
                choices = ", ".join(str(choice) for choice in allowed)
                values[name] = self._fail(where, f"the parameter {quote(name)} is {shown}, not one of {choices}")
                continue
            if secret and text:
                self.secret_values.append(text)
            kind = declaration.get("Type", "String")
            is_list = isinstance(kind, str) and kind.startswith(_LIST_TYPES)
            values[name] = text.split(",") if is_list else text
        for name in given:
            if name not in self.source.parameters and name not in SETTABLE_PSEUDO_PARAMETERS:
                where = self.source.where(("Parameters",), at_key=True)
                message = f"--parameter {name}: the template has no such parameter"
                self._fail(where, message + _suggest(name, self.source.parameters))
        return values

    def _referenced_names(self, section: str) -> Iterator[tuple[str, Where, str | None]]:
        """Each name referenced, where, and the attribute asked for when it is a `GetAtt`."""
        if section == "Resources":
            for logical_id, resource in self.source.resources.items():
                yield from self._names_in(resource.properties, ("Resources", logical_id, "Properties"))
        else:
            yield from self._names_in(self.source.outputs, (section,))

    def _names_in(self, data: object, loc: Loc) -> Iterator[tuple[str, Where, str | None]]:
        call = function_call(data, loc)
        if call is not None:
            name, args, args_loc = call
            where = self._where_of(data, loc)
            if name == "Ref" and isinstance(args, str):
                yield args, where, None
            elif name == "Fn::GetAtt":
                target = _get_att_target(args)
                if target is not None:
                    yield target[0], where, target[1]
            elif name == "Fn::Sub":
                yield from _sub_names(args, where)
            yield from self._names_in(args, args_loc)
        elif isinstance(data, dict):
            for key, value in data.items():
                yield from self._names_in(value, (*loc, key))
        elif isinstance(data, list):
            for index, value in enumerate(data):
                yield from self._names_in(value, (*loc, index))

    # -- functions -----------------------------------------------------------------------------------------------

    def _call(self, name: str, args: object, loc: Loc, where: Where) -> object:
        handler: Callable[[object, Loc, Where], object] | None = getattr(self, _HANDLERS.get(name, ""), None)
        if handler is not None:
            return handler(args, loc, where)
        if name in _UNSUPPORTED:
            return self._fail(where, f"{_short(name)} is not supported locally")
        return self._fail(where, f"unknown function {quote(name)}")

    def _ref(self, args: object, loc: Loc, where: Where) -> object:
        if not isinstance(args, str):
            return self._fail(where, f"!Ref takes the name of a parameter or resource, not {_kind(args)}")
        return self._named(args, where)

    def _named(self, name: str, where: Where) -> object:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.source.resources.get(name)
        if resource is not None:
            physical = self.physical_name(name)
            return arns.reference(resource.type, physical, self.account)
        known = {*self.parameters, *self.pseudo, *self.source.resources}
        return self._fail(where, _missing_name(name, known))

    def _get_att(self, args: object, loc: Loc, where: Where) -> object:
        if isinstance(args, str) and "." in args:
            logical_id, attribute = args.split(".", 1)
        elif isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
            logical_id = args[0]
            attribute = self._text(args[1], (*loc, 1), "the attribute of !GetAtt", where)
        else:
            return self._fail(where, "!GetAtt takes Resource.Attribute or [Resource, Attribute]")
        return self._attribute(logical_id, attribute, where)

    def _attribute(self, logical_id: str, attribute: str, where: Where) -> object:
        if attribute is UNRESOLVED:
            return UNRESOLVED
        resource = self.source.resources.get(logical_id)
        if resource is None:
            return self._fail(where, _missing_resource(logical_id, attribute, self.source.resources))
        value = arns.attribute(resource.type, self.physical_name(logical_id), attribute, self.account)
        if value is None:
            message = f"!GetAtt {logical_id}.{attribute} has no local value ({resource.type}: use Arn, or a parameter)"
            return self._fail(where, message)
        return value

    def _sub(self, args: object, loc: Loc, where: Where) -> object:
        variables: dict[str, object] = {}
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
            text = args[0]
            given = self.value(args[1], (*loc, 1))
            if given is UNRESOLVED:
                return UNRESOLVED
            if not isinstance(given, dict):
                return self._fail(where, f"the variables of !Sub must be a mapping, not {_kind(given)}")
            variables = given
        elif isinstance(args, str):
            text = args
        else:
            return self._fail(where, "!Sub takes a text, or a list of a text and a mapping of variables")
        failed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal failed
            inner = match[1]
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"  # `${!Literal}` is written as `${Literal}`
            name = inner.strip()
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                value = self._attribute(logical_id, attribute, where)
            else:
                value = self._named(name, where)
            if value is UNRESOLVED:
                failed = True
                return ""
            if not isinstance(value, str):
                failed = True
                self._fail(where, f"${{{name}}} in !Sub must be text, not {_kind(value)}")
                return ""
            return value

        result = _SUB_VARIABLE.sub(replace, text)
        return UNRESOLVED if failed else result

    def _join(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::Join", args, 2, where)
        if parts is None:
            return UNRESOLVED
        delimiter = self._text(parts[0], (*loc, 0), "the delimiter of !Join", where)
        items = self._items(parts[1], (*loc, 1), "the values of !Join", where)
        if delimiter is UNRESOLVED or items is UNRESOLVED:
            return UNRESOLVED
        if any(item is UNRESOLVED for item in items):
            return UNRESOLVED
        if not all(isinstance(item, str) for item in items):
            return self._fail(where, "every value !Join joins must be text")
        return delimiter.join(str(item) for item in items)

    def _select(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::Select", args, 2, where)
        if parts is None:
            return UNRESOLVED
        index = self._text(parts[0], (*loc, 0), "the index of !Select", where)
        items = self._items(parts[1], (*loc, 1), "the values of !Select", where)
        if index is UNRESOLVED or items is UNRESOLVED:
            return UNRESOLVED
        if not index.isdigit() or int(index) >= len(items):
            return self._fail(where, f"!Select index {index!r} is not one of 0 to {len(items) - 1}")
        return items[int(index)]

    def _split(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::Split", args, 2, where)
        if parts is None:
            return UNRESOLVED
        delimiter = self._text(parts[0], (*loc, 0), "the delimiter of !Split", where)
        text = self._text(parts[1], (*loc, 1), "what !Split splits", where)
        if delimiter is UNRESOLVED or text is UNRESOLVED:
            return UNRESOLVED
        if not delimiter:
            return self._fail(where, "the delimiter of !Split must not be empty")
        return list(text.split(delimiter))

    def _find_in_map(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::FindInMap", args, 3, where)
        if parts is None:
            return UNRESOLVED
        keys = [self._text(part, (*loc, index), "each key of !FindInMap", where) for index, part in enumerate(parts)]
        if UNRESOLVED in keys or any(key is UNRESOLVED for key in keys):
            return UNRESOLVED
        current: object = self.source.mappings
        path = ["Mappings"]
        for key in keys:
            if not isinstance(current, dict) or key not in current:
                return self._fail(where, f"!FindInMap: {'.'.join(path)} has no key {quote(key)}")
            current = current[key]
            path.append(key)
        return self.value(current, tuple(path))

    def _base64(self, args: object, loc: Loc, where: Where) -> object:
        text = self._text(args, loc, "what !Base64 encodes", where)
        if text is UNRESOLVED:
            return UNRESOLVED
        return base64.b64encode(text.encode()).decode()

    def _get_azs(self, args: object, loc: Loc, where: Where) -> object:
        region = self._text(args, loc, "the region of !GetAZs", where)
        if region is UNRESOLVED:
            return UNRESOLVED
        region = region or str(self.pseudo["AWS::Region"])
        return [f"{region}{zone}" for zone in "abc"]

    def _import_value(self, args: object, loc: Loc, where: Where) -> object:
        name = self.value(args, loc)
        shown = quote(name) if isinstance(name, str) and name is not UNRESOLVED else "a value"
        message = f"!ImportValue {shown} reads another stack's export, which has no local value; use a parameter"
        return self._fail(where, message)

    def _if(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::If", args, 3, where)
        if parts is None:
            return UNRESOLVED
        if not isinstance(parts[0], str):
            return self._fail(where, "the first value of !If must be the name of a condition")
        truth = self.condition(parts[0], where)
        if truth is None:
            return UNRESOLVED
        return self.value(parts[1] if truth else parts[2], (*loc, 1 if truth else 2))

    def _equals(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::Equals", args, 2, where)
        if parts is None:
            return UNRESOLVED
        left, right = (self.value(part, (*loc, index)) for index, part in enumerate(parts))
        if left is UNRESOLVED or right is UNRESOLVED:
            return UNRESOLVED
        return left == right

    def _not(self, args: object, loc: Loc, where: Where) -> object:
        parts = self._arguments("Fn::Not", args, 1, where)
        if parts is None:
            return UNRESOLVED
        truth = self._truth(parts[0], (*loc, 0))
        return UNRESOLVED if truth is None else not truth

    def _and(self, args: object, loc: Loc, where: Where) -> object:
        return self._combine("Fn::And", all, args, loc, where)

    def _or(self, args: object, loc: Loc, where: Where) -> object:
        return self._combine("Fn::Or", any, args, loc, where)

    def _combine(self, name: str, join: Callable[[list[bool]], bool], args: object, loc: Loc, where: Where) -> object:
        if not isinstance(args, list) or not 2 <= len(args) <= 10:
            return self._fail(where, f"{_short(name)} takes a list of 2 to 10 conditions")
        truths = [self._truth(part, (*loc, index)) for index, part in enumerate(args)]
        if any(truth is None for truth in truths):
            return UNRESOLVED
        return join([bool(truth) for truth in truths])

    def _condition(self, args: object, loc: Loc, where: Where) -> object:
        if not isinstance(args, str):
            return self._fail(where, "!Condition takes the name of a condition")
        truth = self.condition(args, where)
        return UNRESOLVED if truth is None else truth


_HANDLERS = {
    "Ref": "_ref",
    "Condition": "_condition",
    "Fn::GetAtt": "_get_att",
    "Fn::Sub": "_sub",
    "Fn::Join": "_join",
    "Fn::Select": "_select",
    "Fn::Split": "_split",
    "Fn::FindInMap": "_find_in_map",
    "Fn::Base64": "_base64",
    "Fn::GetAZs": "_get_azs",
    "Fn::ImportValue": "_import_value",
    "Fn::If": "_if",
    "Fn::Equals": "_equals",
    "Fn::Not": "_not",
    "Fn::And": "_and",
    "Fn::Or": "_or",
}


def _short(name: str) -> str:
    return "!" + name.removeprefix("Fn::")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a condition's true or false"
    if value is NO_VALUE:
        return "AWS::NoValue"
    return describe(value)


def _get_att_target(args: object) -> tuple[str, str] | None:
    if isinstance(args, str) and "." in args:
        logical_id, attribute = args.split(".", 1)
        return logical_id, attribute
    if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
        return args[0], args[1] if isinstance(args[1], str) else "..."
    return None


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {quote(close[0])}?" if close else ""


def _missing_name(name: str, known: set[str]) -> str:
    return f"!Ref {quote(name)}: the template has no parameter or resource of that name{_suggest(name, known)}"


def _missing_resource(logical_id: str, attribute: str, resources: Iterable[str]) -> str:
    return f"!GetAtt {logical_id}.{attribute}: no resource named {quote(logical_id)}{_suggest(logical_id, resources)}"


def _sub_names(args: object, where: Where) -> Iterator[tuple[str, Where, str | None]]:
    text, variables = (args[0], args[1]) if isinstance(args, list) and len(args) == 2 else (args, {})
    if not isinstance(text, str):
        return
    for match in _SUB_VARIABLE.finditer(text):
        inner = match[1].strip()
        if inner.startswith("!") or (isinstance(variables, dict) and inner in variables):
            continue
        if "." in inner and not inner.startswith("AWS::"):
            logical_id, attribute = inner.split(".", 1)
            yield logical_id, where, attribute
        else:
            yield inner, where, None
