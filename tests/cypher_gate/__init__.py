"""The Cypher gate: every statement the app sends, checked with Neo4j's own Cypher 5 front end."""
