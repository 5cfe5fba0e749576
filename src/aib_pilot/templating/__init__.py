"""Writing image templates from simpler inputs (no Azure calls here)."""
