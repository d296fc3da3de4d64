"""Parsing template tokens into a tree of nodes."""

from __future__ import annotations

import re

from textforge.templating.expressions import parse_condition, parse_expression
from textforge.templating.lexer import BLOCK, TEXT, VAR, TemplateSyntaxError, Token, tokenize_template
from textforge.templating.nodes import ForNode, IfNode, OutputNode, TextNode


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse(self, end_tags: tuple[str, ...] = ()) -> tuple[list, Token | None]:
        nodes: list = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.kind == TEXT:
                nodes.append(TextNode(token.value))
            elif token.kind == VAR:
                nodes.append(OutputNode(parse_expression(token.value, token.line), token.line))
            elif token.kind == BLOCK:
                keyword = token.value.split()[0]
                if keyword in end_tags:
                    return nodes, token
                if keyword == "if":
                    nodes.append(self._parse_if(token))
                elif keyword == "for":
                    nodes.append(self._parse_for(token))
                else:
                    raise TemplateSyntaxError(f"unexpected tag {keyword!r}", token.line)
        if end_tags:
            raise TemplateSyntaxError(f"missing {' or '.join(end_tags)}", self.tokens[-1].line if self.tokens else 1)
        return nodes, None

    def _parse_if(self, start: Token) -> IfNode:
        node = IfNode([])
        condition = parse_condition(start.value[2:], start.line)
        while True:
            body, end = self.parse(("elif", "else", "endif"))
            keyword = end.value.split()[0]
            if condition is not None:
                node.branches.append((condition, body))
            else:
                node.else_body = body
            if keyword == "endif":
                return node
            if condition is None:
                raise TemplateSyntaxError("'else' must be the last branch", end.line)
            condition = parse_condition(end.value[4:], end.line) if keyword == "elif" else None

    def _parse_for(self, start: Token) -> ForNode:
        match = re.match(r"^for\s+([A-Za-z_]\w*)\s+in\s+(.+)$", start.value)
        if not match:
            raise TemplateSyntaxError(f"malformed for tag {start.value!r}", start.line)
        body, end = self.parse(("else", "endfor"))
        node = ForNode(match.group(1), parse_expression(match.group(2), start.line), body)
        if end.value.split()[0] == "else":
            node.else_body, _ = self.parse(("endfor",))
        return node


def parse_template(source: str) -> list:
    """Parse template ``source`` into a list of nodes."""
    nodes, _ = _Parser(tokenize_template(source)).parse()
    return nodes
