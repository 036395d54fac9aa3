import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The monorepo root: infra/test/helpers/ is three levels down. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const INFRA_DIR = join(REPO_ROOT, 'infra')

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8')
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readRepoFile(path)) as T
}

/** Every file under `dir` (repo-relative paths), skipping node_modules, dist and the tap cache. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.tap', 'coverage'].includes(entry.name)) continue
      const path = join(abs, entry.name)
      if (entry.isDirectory()) walk(path)
      else out.push(relative(REPO_ROOT, path))
    }
  }
  walk(join(REPO_ROOT, dir))
  return out.sort()
}

interface PackageJson {
  name: string
  workspaces?: string[]
  dependencies?: Record<string, string>
}

/** The root's workspace directories, as its package.json lists them. */
export function workspaceDirs(): string[] {
  return readJson<PackageJson>('package.json').workspaces ?? []
}

/** Workspace package name → its directory. */
export function workspacesByName(): Map<string, string> {
  return new Map(workspaceDirs().map((dir) => [readJson<PackageJson>(`${dir}/package.json`).name, dir]))
}

/**
 * The workspace packages a workspace needs at run time: its `dependencies` that are workspaces,
 * and theirs, transitively (devDependencies are not shipped).
 */
export function runtimeWorkspaceDeps(dir: string): string[] {
  const byName = workspacesByName()
  const seen = new Set<string>()
  const visit = (workspaceDir: string): void => {
    const deps = readJson<PackageJson>(`${workspaceDir}/package.json`).dependencies ?? {}
    for (const name of Object.keys(deps)) {
      const depDir = byName.get(name)
      if (depDir === undefined || seen.has(depDir)) continue
      seen.add(depDir)
      visit(depDir)
    }
  }
  visit(dir)
  return [...seen].sort()
}
