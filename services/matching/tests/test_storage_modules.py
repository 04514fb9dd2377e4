"""Matching's storage stays split by responsibility: what the API reads never writes."""

from __future__ import annotations

import ast
import inspect

from lotse_matching.adapters import match_queries

_WRITES = {"insert", "update", "delete", "insert_ignoring_duplicates", "update_by_id"}


def test_the_queries_of_matches_never_write() -> None:
    tree = ast.parse(inspect.getsource(match_queries))
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    called = {  # statements are built by plain calls: update(table), insert(table), ...
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not (imported | called) & _WRITES
    assert "select" in imported  # it does read
