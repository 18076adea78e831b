"""Placeholder until the virtual-clock loop lands."""
def install():
    pass
