"""SHyCache (seed 000): hybrid SRAM / STT-MRAM cache hierarchy, traces, cost and claims."""
