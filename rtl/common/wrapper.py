"""What a wrapper component (same signature as the component it wraps) carries over from it."""

# Attributes testbenches and tools read from a top besides its signature (its parameter set and,
# for Hydra, the unit geometry); a wrapper exposes them unchanged.
MODEL_ATTRIBUTES = ("config", "geo")


def share_model_attributes(wrapper, inner) -> None:
    """Give ``wrapper`` the :data:`MODEL_ATTRIBUTES` that ``inner`` has."""
    for attr in MODEL_ATTRIBUTES:
        if hasattr(inner, attr):
            setattr(wrapper, attr, getattr(inner, attr))
