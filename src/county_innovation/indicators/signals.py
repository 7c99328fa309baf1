"""What the indicators app announces to the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# A new version of a framework was made from ``source``: sent with ``source`` and ``version`` (both Framework)
# inside the transaction that makes it, so an app above (collection's validation rules) carries its own
# settings over to the new version, or the whole version is refused.
framework_version_created = Signal()
