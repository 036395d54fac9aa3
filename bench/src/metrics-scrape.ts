/** A service's /metrics text, fetched once for several readings (`metricIn`). */
export async function metricsText(baseUrl: string): Promise<string> {
  return await (await fetch(`${baseUrl}/metrics`)).text()
}

/** Reads one metric's value (summed over its label sets, optionally filtered) from a service's /metrics. */
export async function scrape(baseUrl: string, name: string, labelFilter?: string): Promise<number> {
  return metricIn(await metricsText(baseUrl), name, labelFilter)
}

/** One metric's value in a /metrics text, summed over its label sets (those containing `labelFilter`). */
export function metricIn(text: string, name: string, labelFilter?: string): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== ' ' && rest[0] !== '{') continue
    if (labelFilter && !rest.includes(labelFilter)) continue
    total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}
