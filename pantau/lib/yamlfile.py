"""YAML that remembers where each value came from, so that errors can name the line."""

from collections.abc import Iterable
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class LocatedYaml:
    """The parsed document plus a map from key path to its 1-based line number."""

    def __init__(self, data: Any, lines: dict[Path_, int]):
        self.data = data
        self.lines = lines

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """Line of the deepest known node on `path` (a missing key points at its parent)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def parse(text: str) -> LocatedYaml:
    """Parse YAML safely; raises yaml.YAMLError (with its own line) when it is not YAML."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    data = yaml.safe_load(text)
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return LocatedYaml(data, lines)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
            # a key's own line beats its value's (a block value starts on the next line)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines)
