"""Financial reports built on top of a :class:`~ledgerly.journal.ledger.Ledger`."""
