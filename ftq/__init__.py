"""ftq — a fault-tolerance resource simulator (shared kit and application shell)."""

__version__ = "0.1.0"
