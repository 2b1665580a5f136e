"""The log's Merkle tree exactly as RFC 9162 (and RFC 6962) define it. Pure; no I/O.

    leaf hash      = SHA-256(0x00 || entry)
    interior hash  = SHA-256(0x01 || left || right)

The tree is stored as the hashes of its complete subtrees: node (level, index) is the hash
of leaves [index * 2**level, (index + 1) * 2**level). Every hash a proof or a root needs is
the fold of a few such nodes (at most one per level), so each computation runs in two
steps: a function here names the nodes it needs, the caller reads them in one query, and a
second function here combines them. This is the scheme of golang.org/x/mod/sumdb/tlog.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

Node = tuple[int, int]
"""A complete subtree: (level, index), covering leaves [index << level, (index + 1) << level)."""

Group = tuple[Node, ...]
"""The complete subtrees whose fold is one hash of a proof (left to right)."""

HASH_SIZE = 32


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash of one entry."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def subtree_root(leaves: Sequence[bytes]) -> bytes:
    """The hash of a complete subtree from its leaf hashes (a power of two of them)."""
    level = list(leaves)
    while len(level) > 1:
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]


def leaf_hashes(entries: Iterable[bytes]) -> list[bytes]:
    """RFC 9162 leaf hashes of many entries (one comprehension: no call per entry)."""
    sha256 = hashlib.sha256
    return [sha256(b"\x00" + entry).digest() for entry in entries]


def _split(n: int) -> int:
    """The largest power of two smaller than `n` (n >= 2), where RFC 9162 splits n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(lo: int, hi: int) -> Group:
    """The complete subtrees that make up leaves [lo, hi), left to right, largest first."""
    nodes: list[Node] = []
    while lo < hi:
        level = min((hi - lo).bit_length() - 1, (lo & -lo).bit_length() - 1 if lo else 64)
        nodes.append((level, lo >> level))
        lo += 1 << level
    return tuple(nodes)


def fold(hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 hash of a range from its complete subtrees (as `range_nodes` lists them)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def root_group(size: int) -> Group:
    """The nodes whose fold is the root of a tree of `size` leaves (size >= 1)."""
    return range_nodes(0, size)


def inclusion_groups(index: int, size: int) -> list[Group]:
    """The proof of inclusion of leaf `index` in a tree of `size` (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    return _path(index, 0, size)


def _path(m: int, lo: int, hi: int) -> list[Group]:
    if hi - lo == 1:
        return []
    k = _split(hi - lo)
    if m < lo + k:
        return [*_path(m, lo, lo + k), range_nodes(lo + k, hi)]
    return [*_path(m, lo + k, hi), range_nodes(lo, lo + k)]


def consistency_groups(old: int, new: int) -> list[Group]:
    """The proof that the tree of `old` leaves is a prefix of that of `new` (RFC 9162 2.1.4.1)."""
    if not 0 <= old <= new:
        raise ValueError("old size must be between 0 and the new size")
    if old in (0, new):
        return []
    return _subproof(old, 0, new, whole=True)


def _subproof(m: int, lo: int, hi: int, *, whole: bool) -> list[Group]:
    if m == hi - lo:
        return [] if whole else [range_nodes(lo, hi)]
    k = _split(hi - lo)
    if m <= k:
        return [*_subproof(m, lo, lo + k, whole=whole), range_nodes(lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, whole=False), range_nodes(lo, lo + k)]


def needed(groups: Iterable[Group]) -> set[Node]:
    """Every node the groups name, to read in one query."""
    return {node for group in groups for node in group}


def resolve(groups: Iterable[Group], stored: Mapping[Node, bytes]) -> list[bytes]:
    """Each group's hash, from the stored nodes it names."""
    return [fold([stored[node] for node in group]) for group in groups]


def append_nodes(
    size: int, frontier: Mapping[Node, bytes], entries: Iterable[bytes]
) -> dict[Node, bytes]:
    """The nodes that complete when `entries` are appended to a tree of `size` leaves.

    `frontier` holds the nodes of `root_group(size)`, all this needs of the old tree.
    """
    known = dict(frontier)
    new: dict[Node, bytes] = {}
    for n, entry in enumerate(entries, start=size):
        current = leaf_hash(entry)
        new[0, n] = known[0, n] = current
        level = 0
        while (n >> level) & 1:
            current = node_hash(known[level, (n >> level) - 1], current)
            level += 1
            new[level, n >> level] = known[level, n >> level] = current
    return new


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does `proof` show leaf hash `leaf` at `index` in the tree `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does `proof` show the tree `old_root` is a prefix of `new_root`?"""
    if not 0 < old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the proof's implicit start
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def roots_at(nodes: Iterable[tuple[int, bytes]], sizes: Iterable[int]) -> dict[int, bytes]:
    """The roots of the trees of each of `sizes` leaves, in one pass over complete subtrees.

    `nodes` are (level, hash) of consecutive aligned complete subtrees from leaf 0 on (leaf
    hashes at level 0, or a tile's hashes at level 8 where its leaves are not needed). A
    root is found for each size that falls between two of them. Only the right frontier
    is kept, so a million leaves take little memory.
    """
    wanted, found = set(sizes), {}
    stack: list[tuple[int, bytes]] = []
    count = 0
    for level, node in nodes:
        count += 1 << level
        merged, current = level, node
        while stack and stack[-1][0] == merged:
            current = node_hash(stack.pop()[1], current)
            merged += 1
        stack.append((merged, current))
        if count in wanted:
            found[count] = fold([h for _, h in stack])
    return found
