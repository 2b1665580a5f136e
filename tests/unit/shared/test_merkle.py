"""The Merkle tree matches RFC 6962's reference vectors and a naive RFC 9162 implementation."""

from __future__ import annotations

import hashlib
import random

import pytest

from shared.tlog import merkle
from shared.tlog.merkle import Node

# Certificate Transparency's reference leaves and values (RFC 6962 test vectors, as in
# transparency-dev/merkle and the C++ reference implementation).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 1): [],
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
CT_CONSISTENCY = {
    (1, 1): [],
    (1, 8): CT_INCLUSION[0, 8],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


# A naive implementation written straight from RFC 9162's recursive definitions, over
# leaf lists, sharing nothing with the module under test but SHA-256.
def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


class Tree:
    """The module under test, over an in-memory node store."""

    def __init__(self, entries: list[bytes]) -> None:
        self.nodes: dict[Node, bytes] = {}
        self.size = 0
        self.append(entries)

    def append(self, entries: list[bytes]) -> None:
        frontier = {n: self.nodes[n] for n in merkle.root_group(self.size)} if self.size else {}
        self.nodes.update(merkle.append_nodes(self.size, frontier, entries))
        self.size += len(entries)

    def root(self, size: int) -> bytes:
        return merkle.resolve([merkle.root_group(size)], self.nodes)[0]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return merkle.resolve(merkle.inclusion_groups(index, size), self.nodes)

    def consistency(self, old: int, new: int) -> list[bytes]:
        return merkle.resolve(merkle.consistency_groups(old, new), self.nodes)


def _hex(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def test_roots_match_the_reference_vectors() -> None:
    tree = Tree(CT_LEAVES)
    assert [tree.root(n).hex() for n in range(1, 9)] == CT_ROOTS


@pytest.mark.parametrize(("index", "size"), list(CT_INCLUSION))
def test_inclusion_proofs_match_the_reference_vectors(index: int, size: int) -> None:
    tree = Tree(CT_LEAVES)
    proof = tree.inclusion(index, size)
    assert _hex(proof) == CT_INCLUSION[index, size]
    leaf = merkle.leaf_hash(CT_LEAVES[index])
    assert merkle.verify_inclusion(leaf, index, size, proof, tree.root(size))


@pytest.mark.parametrize(("old", "new"), list(CT_CONSISTENCY))
def test_consistency_proofs_match_the_reference_vectors(old: int, new: int) -> None:
    tree = Tree(CT_LEAVES)
    proof = tree.consistency(old, new)
    assert _hex(proof) == CT_CONSISTENCY[old, new]
    assert merkle.verify_consistency(old, new, tree.root(old), tree.root(new), proof)


def _entries(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]


def test_every_root_and_proof_matches_the_naive_implementation_up_to_70() -> None:
    entries = _entries(70)
    tree = Tree([])
    for n in range(1, 71):
        tree.append(entries[n - 1 : n])  # grown one leaf at a time, as the integrator may
        d = entries[:n]
        assert tree.root(n) == mth(d)
        for m in range(n):
            assert tree.inclusion(m, n) == path(m, d)
            assert merkle.verify_inclusion(merkle.leaf_hash(d[m]), m, n, path(m, d), mth(d))
            if m:
                assert tree.consistency(m, n) == subproof(m, d, True)
                assert merkle.verify_consistency(m, n, mth(d[:m]), mth(d), subproof(m, d, True))


def test_batches_of_any_size_store_the_same_nodes() -> None:
    entries = _entries(300)
    one_go = Tree(entries)
    batched = Tree([])
    rng = random.Random(7)
    while batched.size < 300:
        batched.append(entries[batched.size : batched.size + rng.randint(1, 40)])
    assert batched.nodes == one_go.nodes


def test_a_tampered_proof_or_leaf_fails_verification() -> None:
    tree = Tree(_entries(37))
    root, proof = tree.root(37), tree.inclusion(20, 37)
    leaf = merkle.leaf_hash(_entries(37)[20])
    assert merkle.verify_inclusion(leaf, 20, 37, proof, root)
    assert not merkle.verify_inclusion(leaf, 21, 37, proof, root)
    assert not merkle.verify_inclusion(leaf, 20, 31, proof, root)
    assert not merkle.verify_inclusion(leaf, 20, 37, proof[:-1], root)
    assert not merkle.verify_inclusion(leaf, 20, 37, [*proof, root], root)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"x"), 20, 37, proof, root)
    assert not merkle.verify_inclusion(leaf, 40, 37, proof, root)
    forged = [proof[0][:-1] + b"\x00", *proof[1:]]
    assert not merkle.verify_inclusion(leaf, 20, 37, forged, root)


def test_a_tampered_consistency_proof_fails_verification() -> None:
    tree = Tree(_entries(37))
    old_root, new_root, proof = tree.root(13), tree.root(37), tree.consistency(13, 37)
    assert merkle.verify_consistency(13, 37, old_root, new_root, proof)
    assert not merkle.verify_consistency(13, 37, new_root, new_root, proof)
    assert not merkle.verify_consistency(12, 37, old_root, new_root, proof)
    assert not merkle.verify_consistency(13, 37, old_root, new_root, proof[1:])
    assert not merkle.verify_consistency(13, 37, old_root, new_root, [])
    assert not merkle.verify_consistency(0, 37, old_root, new_root, proof)
    assert not merkle.verify_consistency(37, 13, old_root, new_root, proof)
    forked = Tree([b"fork", *_entries(37)[1:]])
    assert not merkle.verify_consistency(13, 37, forked.root(13), new_root, proof)
    assert merkle.verify_consistency(8, 8, old_root, old_root, [])


def test_out_of_range_proof_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="leaf index"):
        merkle.inclusion_groups(5, 5)
    with pytest.raises(ValueError, match="old size"):
        merkle.consistency_groups(6, 5)


def test_roots_at_many_sizes_in_one_pass() -> None:
    entries = _entries(100)
    leaves = [merkle.leaf_hash(e) for e in entries]
    sizes = [1, 2, 3, 7, 8, 64, 99, 100]
    assert merkle.roots_at([(0, x) for x in leaves], sizes) == {n: mth(entries[:n]) for n in sizes}


def test_roots_from_leaves_and_whole_subtrees() -> None:
    entries = _entries(1000)
    tree = Tree(entries)
    leaves = [(0, merkle.leaf_hash(e)) for e in entries]
    nodes = [(8, tree.nodes[8, 0]), *leaves[256:512], (8, tree.nodes[8, 2]), *leaves[768:]]
    assert merkle.roots_at(nodes, [256, 300, 1000]) == {
        256: mth(entries[:256]),
        300: mth(entries[:300]),
        1000: mth(entries),
    }
