"""What aib-pilot created for a build, recorded on the image template itself.

A build may span several CI jobs (submit in one, watch and clean up in a later one), so the
record of what aib-pilot created lives in Azure, as tags on the image template, not in a local
file. Cleanup reads these tags and removes what they name once the template is deleted.

- ``CONTAINER_TAG``: the URL (never with a SAS) of a blob container aib-pilot created to carry
  workspace files into the image.
- ``ACCOUNT_TAG``: the resource id of a storage account aib-pilot created for that container (only
  when the user named no account of their own).
"""

from __future__ import annotations

CONTAINER_TAG = "aib-pilot-created-container"
ACCOUNT_TAG = "aib-pilot-created-account"
