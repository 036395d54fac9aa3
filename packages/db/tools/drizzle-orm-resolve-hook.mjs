const fromThisPackage = new URL('../package.json', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/')) {
    return nextResolve(specifier, { ...context, parentURL: fromThisPackage })
  }
  return nextResolve(specifier, context)
}
