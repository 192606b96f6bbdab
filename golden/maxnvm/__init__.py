"""MaxNVM (seed 003): sparse-encoded, MLC eNVM weight storage — golden model."""
