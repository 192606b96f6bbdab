"""A simulation memory whose image is loaded from and dumped to hex files in bulk."""

from __future__ import annotations

from amaranth.hdl import ClockSignal, Instance, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

# Why Verilog and not amaranth.lib.memory.Memory: Amaranth writes a Memory's initial contents
# word by word into the Verilog (one line per word, zeros included), and converting a
# 131072 x 1024-bit memory did not finish in 10 minutes here; the images of a whole VGG-16 layer
# need memories that size.  This module holds the array and lets the testbench fill and dump it
# with $readmemh / $writememh (Icarus and Verilator) from files the golden model writes.
VERILOG = """
module hymem_image_ram #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 2,
    parameter integer ABITS = 1,
    parameter LOAD_FILE = "image.hex",
    parameter DUMP_FILE = "image_dump.hex"
) (
    input wire clk,
    input wire [ABITS-1:0] raddr,
    output wire [WIDTH-1:0] rdata,
    input wire we,
    input wire [ABITS-1:0] waddr,
    input wire [WIDTH-1:0] wdata,
    input wire load,
    input wire dump,
    input wire [ABITS-1:0] dump_from,
    input wire [ABITS-1:0] dump_to
);
  reg [WIDTH-1:0] mem [0:DEPTH-1];
  reg load_q = 1'b0;
  reg dump_q = 1'b0;
  assign rdata = mem[raddr];
  always @(posedge clk) begin
    if (we) mem[waddr] <= wdata;
    load_q <= load;
    dump_q <= dump;
    if (load && !load_q) $readmemh(LOAD_FILE, mem);
    if (dump && !dump_q) $writememh(DUMP_FILE, mem, dump_from, dump_to);
  end
endmodule
"""


class ImageRam(wiring.Component):
    """``depth`` words of ``width`` bits with an asynchronous read port and a write port; a rising
    ``load`` reads ``<name>.hex`` (``$readmemh``, simulator's working directory) into it, a
    rising ``dump`` writes words ``dump_from … dump_to`` to ``<name>_dump.hex``.

    Simulation only (the Verilog of :data:`VERILOG` travels with the top that instantiates it:
    ``extra_verilog``).

    Members
    -------
    raddr : In(abits)          read address; ``rdata`` : Out(width) its word, same cycle
    we, waddr, wdata : In      write ``wdata`` at ``waddr`` at the clock edge when ``we``
    load, dump : In(1)         rising edge: load the image / dump the range
    dump_from, dump_to : In(abits)
    """

    def __init__(self, name: str, width: int, depth: int):
        self.name, self.width, self.depth = name, width, depth
        self.abits = max(1, (depth - 1).bit_length())
        super().__init__(
            {
                "raddr": In(self.abits),
                "rdata": Out(width),
                "we": In(1),
                "waddr": In(self.abits),
                "wdata": In(width),
                "load": In(1),
                "dump": In(1),
                "dump_from": In(self.abits),
                "dump_to": In(self.abits),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = Instance(
            "hymem_image_ram",
            p_WIDTH=self.width,
            p_DEPTH=self.depth,
            p_ABITS=self.abits,
            p_LOAD_FILE=f"{self.name}.hex",
            p_DUMP_FILE=f"{self.name}_dump.hex",
            i_clk=ClockSignal(),
            i_raddr=self.raddr,
            o_rdata=self.rdata,
            i_we=self.we,
            i_waddr=self.waddr,
            i_wdata=self.wdata,
            i_load=self.load,
            i_dump=self.dump,
            i_dump_from=self.dump_from,
            i_dump_to=self.dump_to,
        )
        return m
