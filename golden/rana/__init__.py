"""RANA (seed 004): retention-aware eDRAM CNN accelerator — golden model."""
