"""What the indicators app tells the apps above it, which it may not import (the layers contract).

``framework_version_created``: a new version of a framework was created, inside its transaction.
Arguments: ``source`` (the version copied), ``target`` (the new version), ``actor`` (who created it).
Collection copies the framework's validation rules into the new version on it.
"""

from django.dispatch import Signal

framework_version_created = Signal()
