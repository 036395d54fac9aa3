import type { FastifySchemaValidationError } from 'fastify/types/schema.js'

/**
 * Fastify's validation message ("body/tools/roster must be <= 9"), made to name what Ajv knows but
 * Fastify leaves out: the unknown property, the allowed values, the bad property name.
 */
export function schemaErrorMessage(errors: FastifySchemaValidationError[], dataVar: string): string {
  // A bad property name yields the pattern error and a "propertyNames" summary of it: keep the first.
  const useful = errors.filter((e) => e.keyword !== 'propertyNames' || errors.length === 1)
  return useful
    .map((e) => {
      const path = `${dataVar}${e.instancePath}`
      const params = e.params
      const propertyName = (e as { propertyName?: unknown }).propertyName
      if (e.keyword === 'additionalProperties')
        return `${path} must NOT have the property "${String(params.additionalProperty)}"`
      if (e.keyword === 'enum' && Array.isArray(params.allowedValues))
        return `${path} must be one of: ${params.allowedValues.join(', ')}`
      if (typeof propertyName === 'string')
        return `${path}: the name "${propertyName.slice(0, 40)}" ${e.message ?? 'is not valid'}`
      return `${path} ${e.message ?? 'is not valid'}`
    })
    .join(', ')
}

export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(schemaErrorMessage(errors, dataVar))
}
