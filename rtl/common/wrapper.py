"""What a wrapper component (same signature as the component it wraps) carries over from it."""

from amaranth.lib import wiring

# Attributes testbenches and tools read from a top besides its signature (its parameter set and,
# for Hydra, the unit geometry); a wrapper exposes them unchanged.
MODEL_ATTRIBUTES = ("config", "geo")


def share_model_attributes(wrapper, inner) -> None:
    """Give ``wrapper`` the :data:`MODEL_ATTRIBUTES` that ``inner`` has."""
    for attr in MODEL_ATTRIBUTES:
        if hasattr(inner, attr):
            setattr(wrapper, attr, getattr(inner, attr))


def connect_through(m, outer, inner, names) -> None:
    """Connect members ``names`` of ``outer`` straight to the same-named members of ``inner``,
    a submodule of ``outer`` with the same member signatures (inputs in, outputs out)."""
    for name in names:
        member = outer.signature.members[name]
        if member.is_signature:
            wiring.connect(m, wiring.flipped(getattr(outer, name)), getattr(inner, name))
        elif member.flow == wiring.In:
            m.d.comb += getattr(inner, name).eq(getattr(outer, name))
        else:
            m.d.comb += getattr(outer, name).eq(getattr(inner, name))
