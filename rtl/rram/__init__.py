"""RRAM weight-buffer CNN accelerator (seed 002): MAC array, accumulation buffer, I/O-buffer
window path, banked weight-buffer port, controller."""
