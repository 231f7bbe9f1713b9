"""Signals of the contact repository, for work that must happen at a given point of a contact's life."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `crm.subject_data.subject_data_erase` inside the erasure's transaction, before
# any row goes, with `contact` (locked). A receiver may read the contact's data to keep
# the erasure effective elsewhere (pending imports remember the erased points' blind
# indexes); it must keep no plaintext and may write only inside this transaction.
contact_erasing = Signal()
