"""MaxNVM (seed 003): sparse encodings, MLC eNVM fault model, IdxSync and ECC."""
