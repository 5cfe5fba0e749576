"""Thin adapters over the official Azure SDKs (azure-identity, azure-mgmt-*, azure-storage-blob).

Nothing here knows about CI systems or output formats; the monitor loop and the commands use these
adapters, and ``aib_pilot.azure.errors`` turns SDK exceptions into teaching one-liners.
"""
