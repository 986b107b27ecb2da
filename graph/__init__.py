"""The graph: the driver, the Cypher of each part of the model, migrations, the embedded server.

Rows read in bulk (accounts, projects, contacts, units, members, reporting lines, interactions)
are plain slotted dataclasses, not frozen ones: a frozen dataclass sets each field through
`object.__setattr__`, which makes building one four to five times dearer, and an org chart
builds thousands. Nothing changes a row once built.
"""
