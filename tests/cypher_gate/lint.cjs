// Checks a batch of Cypher statements with Neo4j's Cypher 5 parser and semantic analysis.
// stdin: {"statements": [text, ...], "labels": [...], "relationshipTypes": [...]}
// stdout: [[{"severity": "error"|"warning", "message", "line", "column"}, ...], ...]
// one list per statement, in order. Parameters are all taken as declared; only Neo4j's
// built-in functions and procedures exist (no APOC, no GDS).
'use strict';

const { lintCypherQuery, testData } = require('@neo4j-cypher/language-support');

function builtIns(registry, keep) {
  const out = {};
  for (const [version, entries] of Object.entries(registry ?? {})) {
    out[version] = Object.fromEntries(Object.entries(entries).filter(([name, e]) => keep(name, e)));
  }
  return out;
}

const PLUGIN_PREFIXES = ['apoc.', 'gds.', 'genai.'];
const fromPlugin = (name) => PLUGIN_PREFIXES.some((p) => name.startsWith(p));

function schemaFor(request) {
  // The package's own catalogue of a Neo4j 5 server (it carries plugins too: filtered out).
  const catalogue = testData.mockSchema;
  return {
    functions: builtIns(catalogue.functions, (name, fn) => fn.isBuiltIn && !fromPlugin(name)),
    procedures: builtIns(catalogue.procedures, (name) => !fromPlugin(name)),
    labels: request.labels ?? [],
    relationshipTypes: request.relationshipTypes ?? [],
    parameters: new Proxy({}, { get: () => null }),
    defaultLanguage: 'CYPHER 5',
  };
}

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function main() {
  const request = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const schema = schemaFor(request);
  const results = request.statements.map((text) =>
    lintCypherQuery(text, schema).map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    })),
  );
  process.stdout.write(JSON.stringify(results));
}

main();
