"""SHyCache tag array: one set-associative LRU tag memory of a cache part (seed 000, §III)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.rtl.shycache.layouts import index_bits


def way_layout(tag_bits: int, ways: int) -> data.StructLayout:
    """One way of a tag row; ``age`` 0 is the most recently used, ``ways - 1`` the LRU way."""
    return data.StructLayout({"valid": 1, "dirty": 1, "age": index_bits(ways), "tag": tag_bits})


class TagArray(wiring.Component):
    """``sets`` rows of ``ways`` {valid, dirty, age, tag} in one ``Memory`` (one row per set).

    LRU is kept as per-way ages that always form a permutation of 0..ways-1
    (the clear row gives way w age w); touching way w makes it age 0 and ages
    every way younger than it by one.  The selected way is the hit way, else
    the lowest-numbered invalid way, else the way of age ``ways - 1``.

    Parameters
    ----------
    sets, ways, tag_bits : int
        Geometry (sets a power of two).

    Members
    -------
    lookup : In(1)
        Read the row of set ``set``; the comparison outputs are valid from the next cycle
        and hold until the next lookup.
    set : In(index_bits(sets))
        Row addressed by ``lookup``, ``update`` and ``clear``.
    tag : In(tag_bits)
        Tag compared with the row read (drive it in the cycle after ``lookup``).
    hit, way, way_valid, way_dirty, way_tag : Out
        Whether ``tag`` is in the row; the selected way and its fields.
    update : In(1)
        Write the row read last with way ``update_way`` = {valid 1, ``update_dirty``, ``tag``}
        and touched.
    update_way : In(index_bits(ways))
    update_dirty : In(1)
    clear : In(1)
        Write the clear row (all invalid, way w age w) to ``set`` (the reset sweep).

    Latency and throughput
    ----------------------
    Lookup result one cycle after ``lookup``; one lookup, update or clear per cycle.
    """

    def __init__(self, sets: int, ways: int, tag_bits: int):
        self.sets, self.ways, self.tag_bits = sets, ways, tag_bits
        self.row_layout = data.ArrayLayout(way_layout(tag_bits, ways), ways)
        super().__init__({
            "lookup": In(1),
            "set": In(index_bits(sets)),
            "tag": In(tag_bits),
            "hit": Out(1),
            "way": Out(index_bits(ways)),
            "way_valid": Out(1),
            "way_dirty": Out(1),
            "way_tag": Out(tag_bits),
            "update": In(1),
            "update_way": In(index_bits(ways)),
            "update_dirty": In(1),
            "clear": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        ways = self.ways
        m.submodules.rows = rows = Memory(shape=self.row_layout, depth=self.sets, init=[])
        rd, wr = rows.read_port(), rows.write_port()
        row = rd.data
        m.d.comb += [rd.addr.eq(self.set), rd.en.eq(self.lookup), wr.addr.eq(self.set)]

        matches = [row[w].valid & (row[w].tag == self.tag) for w in range(ways)]
        invalid = [~row[w].valid for w in range(ways)]
        oldest = [row[w].age == ways - 1 for w in range(ways)]
        m.d.comb += self.hit.eq(Cat(*matches).any())
        # priority by statement order (the last assignment wins): the LRU way, then the lowest
        # invalid way (assigned from the highest down), then the hit way
        for w in range(ways):
            with m.If(oldest[w]):
                m.d.comb += self.way.eq(w)
        for w in reversed(range(ways)):
            with m.If(invalid[w]):
                m.d.comb += self.way.eq(w)
        for w in range(ways):
            with m.If(matches[w]):
                m.d.comb += self.way.eq(w)
        chosen = row[self.way]
        m.d.comb += [self.way_valid.eq(chosen.valid), self.way_dirty.eq(chosen.dirty),
                     self.way_tag.eq(chosen.tag)]

        touched = Signal(self.row_layout)
        age_used = row[self.update_way].age
        for w in range(ways):
            younger = row[w].age < age_used
            m.d.comb += [touched[w].eq(row[w]),
                         touched[w].age.eq(row[w].age + younger)]
            with m.If(self.update_way == w):
                m.d.comb += [touched[w].valid.eq(1), touched[w].dirty.eq(self.update_dirty),
                             touched[w].tag.eq(self.tag), touched[w].age.eq(0)]
        cleared = self.row_layout.const([{"valid": 0, "dirty": 0, "age": w, "tag": 0}
                                         for w in range(ways)])
        with m.If(self.clear):
            m.d.comb += [wr.en.eq(1), wr.data.eq(cleared)]
        with m.Elif(self.update):
            m.d.comb += [wr.en.eq(1), wr.data.eq(touched)]
        return m
