"""Every reach into a library's internals, in one place (docs/ARCHITECTURE.md §9).

Outside this package, the code uses graphql-core, strawberry and asyncio through their public
APIs only; `tests/test_import_rules.py` lists each use in here and fails on a new one
anywhere. Each module says what it waits for upstream before it can go:

- `execution`: every use of graphql-core's and strawberry's internals: `FastExecution`
  (plain attribute fields answered without graphql-core's per-field steps), the graphql-core
  schema behind a strawberry schema, the strawberry field behind a graphql-core field, and the
  field nodes of a resolver call.
- `introspection`: introspection filtered per caller, through graphql-core's introspection
  objects (their public names, patched process-wide).
"""
