/** A Dockerfile as instructions grouped by stage: enough to check what an image is, without Docker. */
export interface Instruction {
  keyword: string
  args: string
  line: number
}

export interface Stage {
  name: string
  from: string
  instructions: Instruction[]
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let line = lines[i]!
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i]!.trim()
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const match = /^(\w+)\s+([\s\S]*)$/.exec(trimmed)
    if (!match) throw new Error(`Dockerfile line ${start + 1} is not an instruction: ${trimmed}`)
    const keyword = match[1]!.toUpperCase()
    const args = match[2]!.trim()
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      if (!from) throw new Error(`Dockerfile line ${start + 1}: cannot read FROM ${args}`)
      stages.push({ name: from[2] ?? String(stages.length), from: from[1]!, instructions: [] })
      continue
    }
    if (keyword === 'ARG' && stages.length === 0) continue
    const stage = stages.at(-1)
    if (!stage) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before any FROM`)
    stage.instructions.push({ keyword, args, line: start + 1 })
  }
  return stages
}

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword)
}

/** `ENV A=1 B=2` (the form these Dockerfiles use) → {A: '1', B: '2'}, across every ENV of the stage. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of instructions(stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
      env[match[1]!] = match[2]!.replace(/^"|"$/g, '')
  }
  return env
}

export interface Copy {
  from?: string
  sources: string[]
  dest: string
}

export function copies(stage: Stage): Copy[] {
  return instructions(stage, 'COPY').map(({ args }) => {
    const parts = args.split(/\s+/)
    let from: string | undefined
    while (parts[0]?.startsWith('--')) {
      const flag = parts.shift()!
      if (flag.startsWith('--from=')) from = flag.slice('--from='.length)
    }
    const dest = parts.pop()!
    return from === undefined ? { sources: parts, dest } : { from, sources: parts, dest }
  })
}

/** The stage a stage is built on, followed to the first one that starts from an image. */
export function stageChain(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage]
  let current = stage
  for (;;) {
    const parent = stages.find((s) => s.name === current.from)
    if (!parent) return chain.reverse()
    chain.push(parent)
    current = parent
  }
}

/** The exec-form JSON array of CMD / HEALTHCHECK ... CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.slice(args.indexOf('['))
  if (!args.includes('[')) return undefined
  try {
    const parsed: unknown = JSON.parse(json)
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}
