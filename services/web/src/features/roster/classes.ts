/** World of Warcraft's playable classes by id, with the colour the game and every addon use. */
export const CLASSES: Record<number, { name: string; colour: string }> = {
  1: { name: 'Warrior', colour: '#C69B6D' },
  2: { name: 'Paladin', colour: '#F48CBA' },
  3: { name: 'Hunter', colour: '#AAD372' },
  4: { name: 'Rogue', colour: '#FFF468' },
  5: { name: 'Priest', colour: '#FFFFFF' },
  6: { name: 'Death Knight', colour: '#C41E3A' },
  7: { name: 'Shaman', colour: '#0070DD' },
  8: { name: 'Mage', colour: '#3FC7EB' },
  9: { name: 'Warlock', colour: '#8788EE' },
  10: { name: 'Monk', colour: '#00FF98' },
  11: { name: 'Druid', colour: '#FF7C0A' },
  12: { name: 'Demon Hunter', colour: '#A330C9' },
  13: { name: 'Evoker', colour: '#33937F' },
}

export function classOf(id: number): { name: string; colour: string } {
  return CLASSES[id] ?? { name: `Class ${id}`, colour: '#888888' }
}
