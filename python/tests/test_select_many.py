"""select_many and hash_many over numpy columns: layouts, conversions, errors, and the
same answers as select row by row."""

from __future__ import annotations

import ipaddress
import threading
import tracemalloc
from typing import Any

import numpy as np
import pytest
import vpnha
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

ALGORITHMS = ["stable", "rendezvous", "maglev", "hash-threshold"]


def columns(n: int, seed: int = 0) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 2**32, n, dtype=np.uint32),
        rng.integers(0, 2**32, n, dtype=np.uint32),
        rng.choice(np.array([6, 17, 1, 50], dtype=np.uint8), n),
        rng.integers(0, 2**16, n, dtype=np.uint16),
        rng.integers(0, 2**16, n, dtype=np.uint16),
    )


def loop(g: vpnha.EcmpGroup, src: Any, dst: Any, proto: Any, sport: Any, dport: Any, label: Any = None) -> list[int]:
    out = []
    for i in range(len(src)):
        if np.ndim(src) == 2:
            a: Any = ipaddress.IPv6Address(bytes(src[i]))
            b: Any = ipaddress.IPv6Address(bytes(dst[i]))
        else:
            a, b = int(src[i]), int(dst[i])
        lab = 0 if label is None else int(label[i])
        t = g.select(a, b, int(proto[i]), int(sport[i]), int(dport[i]), flow_label=lab)
        out.append(vpnha.NO_TUNNEL if t is None else t)
    return out


@st.composite
def groups(draw: st.DrawFn) -> vpnha.EcmpGroup:
    n = draw(st.integers(1, 20))
    symmetric = draw(st.booleans())
    fields = draw(st.sampled_from([0x37, 0x03, 0x3F, 0x0B, 0x00, 0x15]))
    if symmetric:
        fields &= ~0x08
    g = vpnha.EcmpGroup(
        n,
        draw(st.sampled_from(ALGORITHMS)),
        draw(st.integers(0, 2**64 - 1)),
        weights=draw(st.lists(st.integers(0, 5), min_size=n, max_size=n).filter(any)),
        symmetric=symmetric,
        fields=fields,
    )
    for t in draw(st.sets(st.integers(0, n - 1))):
        g.set_up(t, False)
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=groups(), n=st.integers(0, 64), seed=st.integers(0, 2**32))
def test_select_many_equals_a_loop_of_select_ipv4(g: vpnha.EcmpGroup, n: int, seed: int) -> None:
    cols = columns(n, seed)
    assert g.select_many(*cols).tolist() == loop(g, *cols)
    assert g.hash_many(*cols).tolist() == [
        g.hash(int(cols[0][i]), int(cols[1][i]), int(cols[2][i]), int(cols[3][i]), int(cols[4][i])) for i in range(n)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    g=groups(),
    src=hnp.arrays(np.uint8, st.tuples(st.integers(0, 24), st.just(16))),
    data=st.data(),
)
def test_select_many_equals_a_loop_of_select_ipv6(g: vpnha.EcmpGroup, src: Any, data: st.DataObject) -> None:
    n = len(src)
    dst = data.draw(hnp.arrays(np.uint8, (n, 16)))
    proto = data.draw(hnp.arrays(np.uint8, n))
    sport = data.draw(hnp.arrays(np.uint16, n))
    dport = data.draw(hnp.arrays(np.uint16, n))
    label = data.draw(hnp.arrays(np.uint32, n, elements=st.integers(0, 0xFFFFF)))
    assert g.select_many(src, dst, proto, sport, dport, flow_label=label).tolist() == loop(
        g, src, dst, proto, sport, dport, label
    )


@settings(max_examples=40, deadline=None)
@given(
    g=groups(),
    flows=st.lists(
        st.one_of(
            st.tuples(st.ip_addresses(v=4), st.ip_addresses(v=4)),
            st.tuples(st.ip_addresses(v=6), st.ip_addresses(v=6)),
        ),
        max_size=30,
    ),
    proto=st.integers(0, 255),
)
def test_text_columns_of_both_families(g: vpnha.EcmpGroup, flows: list[tuple[Any, Any]], proto: int) -> None:
    src = [str(a) for a, _ in flows]
    dst = [b for _, b in flows]  # ipaddress objects
    want = [g.select(a, b, proto, 1, 2) for a, b in flows]
    got = g.select_many(src, np.array(dst, dtype=object), proto, 1, 2).tolist()
    assert got == [vpnha.NO_TUNNEL if w is None else w for w in want]


def test_inputs_are_read_in_place() -> None:
    """Native-dtype contiguous columns are not copied: the call allocates the output only."""
    g = vpnha.EcmpGroup(4)
    n = 500_000
    cols = columns(n)
    g.select_many(*cols)  # warm up lazy imports and caches
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = g.select_many(*cols)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    input_bytes = sum(c.nbytes for c in cols)
    assert peak < out.nbytes + 64 * 1024 < input_bytes


def test_read_only_inputs_and_out() -> None:
    g = vpnha.EcmpGroup(4, seed=3)
    cols = columns(1000)
    for c in cols:
        c.setflags(write=False)
    want = g.select_many(*cols)
    out = np.empty(1000, dtype=np.uint16)
    assert g.select_many(*cols, out=out) is out
    assert (out == want).all()
    with pytest.raises(vpnha.EcmpError, match="rows"):
        g.select_many(*cols, out=np.empty(999, dtype=np.uint16))
    with pytest.raises(vpnha.EcmpError, match="uint16"):
        g.select_many(*cols, out=np.empty(1000, dtype=np.int32))
    frozen = np.empty(1000, dtype=np.uint16)
    frozen.setflags(write=False)
    with pytest.raises(vpnha.EcmpError, match="cannot be written"):
        g.select_many(*cols, out=frozen)


def test_out_may_not_alias_an_input() -> None:
    g = vpnha.EcmpGroup(4)
    src, dst, proto, sport, dport = columns(100)
    with pytest.raises(vpnha.EcmpError):
        g.select_many(src, dst, proto, sport, dport, out=sport)


def test_scalars_broadcast() -> None:
    g = vpnha.EcmpGroup(8, seed=1)
    src, dst, _, sport, _ = columns(300)
    got = g.select_many(src, "198.51.100.10", "tcp", sport, 443)
    want = g.select_many(src, np.full(300, int(ipaddress.IPv4Address("198.51.100.10")), np.uint32), np.full(300, 6, np.uint8), sport, np.full(300, 443, np.uint16))
    assert (got == want).all()
    assert g.select_many("192.0.2.1", "192.0.2.2", 6, 1, 2).tolist() == [g.select("192.0.2.1", "192.0.2.2", 6, 1, 2)]
    v6 = g.select_many("2001:db8::1", ["2001:db8::2", "2001:db8::3"], "udp")
    assert v6.tolist() == [g.select("2001:db8::1", d, 17) for d in ("2001:db8::2", "2001:db8::3")]


def test_other_dtypes_lists_and_strides_are_converted() -> None:
    g = vpnha.EcmpGroup(8, seed=9)
    cols = columns(200)
    want = g.select_many(*cols)
    as_int64 = [c.astype(np.int64) for c in cols]
    assert (g.select_many(*as_int64) == want).all()
    as_lists = [c.tolist() for c in cols]
    assert (g.select_many(*as_lists) == want).all()
    big = [np.repeat(c, 2) for c in cols]
    strided = [c[::2] for c in big]
    assert not strided[0].flags.c_contiguous
    assert (g.select_many(*strided) == want).all()
    swapped = [c.astype(c.dtype.newbyteorder(">")) for c in cols]
    assert (g.select_many(*swapped) == want).all()
    names = np.array(["tcp" if p == 6 else "udp" if p == 17 else "icmp" if p == 1 else "esp" for p in cols[2]])
    assert (g.select_many(cols[0], cols[1], names, cols[3], cols[4]) == want).all()
    text = [str(ipaddress.IPv4Address(int(x))) for x in cols[0]]
    assert (g.select_many(text, cols[1], *cols[2:]) == want).all()


def test_ipv6_layouts() -> None:
    g = vpnha.EcmpGroup(5, "maglev", 4)
    rng = np.random.default_rng(4)
    src = rng.integers(0, 256, (50, 16), dtype=np.uint8)
    dst = rng.integers(0, 256, (50, 16), dtype=np.uint8)
    want = g.select_many(src, dst, 17, 500, 4500)
    assert (g.select_many(src.astype(np.int32), dst, 17, 500, 4500) == want).all()
    fortran = np.asfortranarray(src)
    assert (g.select_many(fortran, dst, 17, 500, 4500) == want).all()
    texts = [str(ipaddress.IPv6Address(bytes(r))) for r in src]
    assert (g.select_many(texts, dst, 17, 500, 4500) == want).all()


def test_pandas_columns() -> None:
    pd = pytest.importorskip("pandas")
    g = vpnha.EcmpGroup(4)
    cols = columns(100)
    df = pd.DataFrame({"src": cols[0], "dst": cols[1], "proto": cols[2], "sport": cols[3], "dport": cols[4]})
    assert (g.select_many(df.src, df.dst, df.proto, df.sport, df.dport) == g.select_many(*cols)).all()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros(3, np.uint32), np.zeros(2, np.uint32), 6), "rows"),
        (([-1], [1], 6), "outside"),
        (([2**32], [1], 6), "outside"),
        (([1], [1], 256), "255"),
        (([1], [1], [6.0]), "float"),
        (([1], [1], 6, [70000]), "outside"),
        (([1], [1], ["tcp"], ["http"]), "integers"),
        (([1], [1], ["smtp"]), "unknown protocol"),
        (([1], ["2001:db8::1"], 6), "family"),
        ((["192.0.2.1", "2001:db8::1"], ["192.0.2.2", "192.0.2.3"], 6), "row 1"),
        ((np.zeros((2, 15), np.uint8), np.zeros((2, 15), np.uint8), 6), "shape"),
        ((np.zeros((2, 2, 2), np.uint32), [1, 2], 6), "dimensional"),
        (([True], [1], 6), "dtype"),
        ((["not-an-address"], [1], 6), "not an IPv4 or IPv6 address"),
        (([1], [1], 6, 0, 0, [2**20]), "outside"),
        (([{}], [1], 6), "address"),
    ],
)
def test_bad_columns(args: tuple[Any, ...], match: str) -> None:
    g = vpnha.EcmpGroup(2)
    *cols, = args
    kwargs = {}
    if len(cols) == 6:
        kwargs["flow_label"] = cols.pop()
    with pytest.raises(vpnha.EcmpError, match=match):
        g.select_many(*cols, **kwargs)


def test_empty_batches() -> None:
    g = vpnha.EcmpGroup(2)
    e = np.empty(0, np.uint32)
    assert g.select_many(e, e, 6).shape == (0,)
    assert g.hash_many(np.empty((0, 16), np.uint8), np.empty((0, 16), np.uint8), 6).shape == (0,)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_threads_split_a_batch_without_changing_it(algorithm: str) -> None:
    g = vpnha.EcmpGroup(7, algorithm, 3, weights=[1, 2, 3, 0, 1, 1, 2])
    g.set_up(2, False)
    cols = columns(300_001, 8)
    one = g.select_many(*cols, threads=1)
    for threads in (2, 3, 8, None):
        assert (g.select_many(*cols, threads=threads) == one).all()
    assert (g.hash_many(*cols, threads=5) == g.hash_many(*cols, threads=1)).all()
    rng = np.random.default_rng(2)
    v6 = rng.integers(0, 256, (200_000, 16), dtype=np.uint8)
    assert (g.select_many(v6, v6[::-1], 17, threads=4) == g.select_many(v6, v6[::-1], 17, threads=1)).all()
    with pytest.raises(vpnha.EcmpError, match="threads"):
        g.select_many(*cols, threads=0)


def test_threads_share_a_group() -> None:
    """Selection runs with the GIL released; concurrent batches on one group agree."""
    g = vpnha.EcmpGroup(16, "maglev", 77)
    cols = columns(200_000, 5)
    want = g.select_many(*cols)
    results: list[Any] = [None] * 4

    def work(i: int) -> None:
        results[i] = g.select_many(*cols)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all((r == want).all() for r in results)
