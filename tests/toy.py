"""Circuits shared by the CLI tests."""

import stim

#: One postselected detector (fires 30%) and an observable flipped 10% of the time: the smallest taggable circuit.
TOY = stim.Circuit("""
    X_ERROR(0.3) 0
    M 0
    DETECTOR(0, 0, 0, 0, 1, 1) rec[-1]
    X_ERROR(0.1) 1
    M 1
    OBSERVABLE_INCLUDE(0) rec[-1]
""")
