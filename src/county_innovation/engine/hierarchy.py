"""The evaluation framework as a validated tree: index → dimensions → … → indicators."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import EngineError

__all__ = ["Hierarchy", "Node"]

_NODE_FIELDS = ("code", "parent", "weight", "direction", "name")


@dataclass(frozen=True)
class Node:
    """One node of the framework tree.

    Parameters
    ----------
    code : str
        Unique code of the node (indicator or aggregate).
    parent : str or None
        Code of the parent node; ``None`` only for the root (the composite index).
    weight : float, default 1.0
        Weight relative to the node's siblings; only ratios among siblings matter.
    direction : int, default 1
        ``+1`` for a positive (正向) indicator, ``-1`` for a negative (逆向) one. Only read for leaves.
    name : str, default ""
        Display name, used in error messages.
    """

    code: str
    parent: str | None
    weight: float = 1.0
    direction: int = 1
    name: str = ""


def _as_weight(node: Node) -> float:
    # Django DecimalField values arrive as Decimal, so accept anything float() takes except text and
    # booleans, which are almost always a mis-mapped column rather than an intended weight.
    w = node.weight
    if isinstance(w, (str, bytes, bool)):
        raise EngineError(f"节点「{node.code}」的权重 {w!r} 不是数字；请填写非负数，如 1 或 0.25。")
    try:
        value = float(w)
    except (TypeError, ValueError):
        raise EngineError(f"节点「{node.code}」的权重 {w!r} 不是数字；请填写非负数，如 1 或 0.25。") from None
    if not math.isfinite(value) or value < 0:
        raise EngineError(
            f"节点「{node.code}」的权重 {w!r} 无效：权重必须是非负的有限数；请修改为 0 或正数。"
        )
    return value


def _as_direction(node: Node) -> int:
    d = node.direction
    if isinstance(d, bool) or d not in (1, -1):
        raise EngineError(f"指标「{node.code}」的方向 {d!r} 无效：正向指标填 1，逆向指标填 -1。")
    return int(d)


class Hierarchy:
    """A validated framework tree.

    Parameters
    ----------
    nodes : sequence of Node
        All nodes, indicators and aggregates, in display order. Leaves (nodes without children) are the
        indicators; every other node is an aggregate computed from its children.

    Raises
    ------
    EngineError
        If codes are empty or duplicated, there is not exactly one root, a parent does not exist, the
        parent links form a cycle, the root has no children, a weight is negative or not finite, all
        sibling weights are zero, or a leaf's direction is not ±1.

    Attributes
    ----------
    root : str
        Code of the composite index.
    indicators : list of str
        Leaf codes, in the given order.
    aggregates : list of str
        Non-leaf codes, bottom-up (every node after all of its children; ties keep the given order), so
        aggregating in this order never reads a node before it is computed.
    nodes : tuple of Node
        The nodes, with weights as float and directions as int.
    """

    def __init__(self, nodes: Sequence[Node]) -> None:
        nodes = tuple(nodes)
        if not nodes:
            raise EngineError("指标体系为空；请至少提供一个总指数节点和一个指标。")
        by_code: dict[str, Node] = {}
        for node in nodes:
            if not isinstance(node, Node):
                raise EngineError(f"指标体系的节点必须是 Node 对象，收到 {type(node).__name__}。")
            if not isinstance(node.code, str) or not node.code.strip():
                raise EngineError(f"节点编码必须是非空文字，收到 {node.code!r}；请为每个节点填写编码。")
            if node.code in by_code:
                raise EngineError(
                    f"节点编码「{node.code}」重复出现；每个节点的编码必须唯一，请修改其中一个。"
                )
            by_code[node.code] = node

        roots = [n.code for n in nodes if n.parent is None]
        if not roots:
            raise EngineError("指标体系没有总指数（根节点）：应恰好有一个节点的上级为空；请检查上级设置。")
        if len(roots) > 1:
            raise EngineError(
                f"指标体系有多个没有上级的节点（{'、'.join(roots)}）：只能有一个总指数；"
                "请为其余节点指定上级。"
            )
        children: dict[str, list[str]] = {n.code: [] for n in nodes}
        for n in nodes:
            if n.parent is None:
                continue
            if n.parent not in by_code:
                raise EngineError(
                    f"节点「{n.code}」的上级「{n.parent}」不存在；请检查上级编码是否拼写正确，或先添加该上级节点。"
                )
            children[n.parent].append(n.code)
        self._check_cycles(by_code, children, roots[0])
        if not children[roots[0]]:
            raise EngineError(f"指标体系只有总指数「{roots[0]}」，没有任何指标；请为它添加下级指标。")

        # Store canonical copies (float weights, int directions) so to_dict/input_hash are stable no matter
        # whether the caller passed Decimal, numpy or int values.
        clean: list[Node] = []
        for n in nodes:
            is_leaf = not children[n.code]
            clean.append(
                Node(
                    code=n.code,
                    parent=n.parent,
                    weight=1.0 if n.parent is None else _as_weight(n),
                    direction=_as_direction(n) if is_leaf else 1,
                    name="" if n.name is None else str(n.name),
                )
            )
        self.nodes: tuple[Node, ...] = tuple(clean)
        self._node = {n.code: n for n in clean}
        self._children = children
        for code, kids in children.items():
            if kids and sum(self._node[k].weight for k in kids) <= 0:
                raise EngineError(
                    f"「{self.label(code)}」的下级（{'、'.join(kids)}）权重全部为 0；"
                    "请至少给其中一个设置大于 0 的权重。"
                )

        self.root: str = roots[0]
        self.indicators: list[str] = [n.code for n in clean if not children[n.code]]
        self._level: dict[str, int] = {}
        for code in self._post_order():
            kids = children[code]
            self._level[code] = 1 if not kids else 1 + max(self._level[k] for k in kids)
        order = {n.code: i for i, n in enumerate(clean)}
        self.aggregates: list[str] = sorted(
            (n.code for n in clean if children[n.code]), key=lambda c: (self._level[c], order[c])
        )

    @staticmethod
    def _check_cycles(by_code: Mapping[str, Node], children: Mapping[str, list[str]], root: str) -> None:
        # With one root and all parents existing, a node unreachable from the root must sit on (or hang off)
        # a cycle; walking its parent links finds the cycle so the message can name it.
        seen = {root}
        stack = [root]
        while stack:
            for kid in children[stack.pop()]:
                if kid not in seen:
                    seen.add(kid)
                    stack.append(kid)
        for code in by_code:
            if code in seen:
                continue
            path: list[str] = []
            cur: str | None = code
            while cur is not None and cur not in path:
                path.append(cur)
                cur = by_code[cur].parent
            cycle = [*path[path.index(cur) :], cur] if cur is not None else path
            raise EngineError(
                f"指标体系存在循环上下级关系：{' → '.join(cycle)}；"
                "请修改其中一个节点的上级，使所有节点最终归属总指数。"
            )

    def _post_order(self) -> Iterator[str]:
        # Iterative so deep frameworks never hit Python's recursion limit.
        stack: list[tuple[str, bool]] = [(self.root, False)]
        while stack:
            code, expanded = stack.pop()
            if expanded:
                yield code
                continue
            stack.append((code, True))
            stack.extend((k, False) for k in reversed(self._children[code]))

    def _get(self, code: str) -> Node:
        try:
            return self._node[code]
        except KeyError:
            raise EngineError(f"节点「{code}」不在指标体系中；请检查编码。") from None

    def node(self, code: str) -> Node:
        """Return the (canonicalised) node with this code."""
        return self._get(code)

    def children(self, code: str) -> list[str]:
        """Return the codes of the node's children, in the given order (empty for an indicator)."""
        self._get(code)
        return list(self._children[code])

    def parent(self, code: str) -> str | None:
        """Return the parent code, ``None`` for the root."""
        return self._get(code).parent

    def level(self, code: str) -> int:
        """Return the node's level: 1 for an indicator, otherwise 1 + the highest level among its children."""
        self._get(code)
        return self._level[code]

    def weight(self, code: str) -> float:
        """Return the node's weight relative to its siblings."""
        return self._get(code).weight

    def label(self, code: str) -> str:
        """Return ``"名称（编码）"`` for messages, or just the code when the node has no name."""
        node = self._node.get(code)
        return f"{node.name}（{code}）" if node is not None and node.name and node.name != code else code

    @property
    def directions(self) -> dict[str, int]:
        """Map each indicator code to its direction (+1 正向, -1 逆向)."""
        return {c: self._node[c].direction for c in self.indicators}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form, ``{"nodes": [{code, parent, weight, direction, name}, ...]}``."""
        return {"nodes": [{f: getattr(n, f) for f in _NODE_FIELDS} for n in self.nodes]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Hierarchy:
        """Build a hierarchy from the output of :meth:`to_dict`.

        Raises
        ------
        EngineError
            If the mapping is malformed or the tree is invalid.
        """
        if not isinstance(d, Mapping) or not isinstance(d.get("nodes"), Sequence):
            raise EngineError('指标体系数据格式错误：应为 {"nodes": [...]}，每个元素包含 code 和 parent。')
        nodes = []
        for i, item in enumerate(d["nodes"]):
            if not isinstance(item, Mapping) or "code" not in item or "parent" not in item:
                raise EngineError(f"指标体系第 {i + 1} 个节点格式错误：必须包含 code 和 parent 字段。")
            unknown = sorted(set(item) - set(_NODE_FIELDS))
            if unknown:
                raise EngineError(
                    f"指标体系第 {i + 1} 个节点有未知字段：{'、'.join(map(str, unknown))}；"
                    f"可用字段：{'、'.join(_NODE_FIELDS)}。"
                )
            nodes.append(Node(**item))
        return cls(nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, code: object) -> bool:
        return code in self._node

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hierarchy) and self.nodes == other.nodes

    def __hash__(self) -> int:
        return hash(self.nodes)

    def __repr__(self) -> str:
        n_ind, n_agg = len(self.indicators), len(self.aggregates)
        return f"Hierarchy(root={self.root!r}, indicators={n_ind}, aggregates={n_agg})"
