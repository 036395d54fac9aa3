/**
 * JSON Schema keywords a route may validate with that OpenAPI 3.0's schema object does not have.
 * In the document they become `x-` extensions: readers and generators keep the information, and
 * `redocly lint` (and every 3.0 tool) reads a valid document. Validation is unchanged: it runs on
 * the route's own schema, not on the document.
 */
const NOT_IN_OPENAPI_3_0 = new Set(['propertyNames', 'patternProperties', 'dependentRequired', 'if', 'then', 'else'])

/** Keys whose value maps names to schemas: the names are data, never keywords. */
const NAME_MAPS = new Set([
  'properties',
  'paths',
  'schemas',
  'responses',
  'securitySchemes',
  'content',
  'headers',
  'examples',
])

/** A copy of `node` with the keywords OpenAPI 3.0 lacks renamed `x-<keyword>`. */
export function toOpenApi30(node: unknown, isNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => toOpenApi30(item))
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    const name = !isNameMap && NOT_IN_OPENAPI_3_0.has(key) ? `x-${key}` : key
    out[name] = toOpenApi30(value, !isNameMap && NAME_MAPS.has(key))
  }
  return out
}
