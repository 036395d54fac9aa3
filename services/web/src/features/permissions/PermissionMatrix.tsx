import type { ToolMap } from '../../api/types'

const RANKS = Array.from({ length: 10 }, (_, r) => r)

interface Props {
  tools: string[]
  map: ToolMap
  editable: boolean
  onChange: (tool: string, rank: number) => void
}

/**
 * Tools × ranks 0–9. Each row is one radio group: the checked rank is the highest that may use the
 * tool, and every rank at or below it is shaded as allowed. A tool absent from the map is rank 0's.
 */
export function PermissionMatrix({ tools, map, editable, onChange }: Props) {
  return (
    <div className="table-scroll wide" tabIndex={0} role="region" aria-label="Permission matrix">
      <table className="matrix">
        <caption className="visually-hidden">
          Highest rank allowed to use each tool (rank 0 is the guild master)
        </caption>
        <thead>
          <tr>
            <th scope="col">Tool</th>
            {RANKS.map((r) => (
              <th key={r} scope="col">
                {r}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tools.map((tool) => {
            const highest = map[tool] ?? 0
            return (
              <tr key={tool} data-tool={tool}>
                <th scope="row">
                  {tool} <span className="muted">≤ {highest}</span>
                </th>
                {RANKS.map((r) => (
                  <td key={r} className={r <= highest ? 'allowed' : undefined}>
                    <input
                      type="radio"
                      name={`tool-${tool}`}
                      value={r}
                      checked={highest === r}
                      disabled={!editable}
                      aria-label={`${tool}: ranks 0 to ${r}`}
                      onChange={() => onChange(tool, r)}
                    />
                  </td>
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
