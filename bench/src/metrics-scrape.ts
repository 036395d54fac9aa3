/** Reads one metric's value (summed over its label sets, optionally filtered) from a service's /metrics. */
export async function scrape(baseUrl: string, name: string, labelFilter?: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
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
