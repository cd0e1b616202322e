"""Kubernetes resource quantities ("250m", "512Mi", "2"), read by the preflight and the chart checks."""

import re
from decimal import Decimal

from ops.errors import OpsError

SUFFIXES = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10**3),
    "K": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
}


def parse_quantity(quantity: str | int | float) -> Decimal:
    """A quantity as a plain number of cores or bytes; OpsError if it cannot be read."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([a-zA-Z]*)", str(quantity).strip())
    if match is None or match[2] not in SUFFIXES:
        raise OpsError(f"unreadable resource quantity {quantity!r}")
    return Decimal(match[1]) * SUFFIXES[match[2]]
