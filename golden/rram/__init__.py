"""RRAM weight-buffer CNN accelerator (seed 002): parameters, exact loop-nest counts, schedules,
energy and the design space.  Pure NumPy; the RTL lives in ``rtl/rram``."""
