/** cluster-key-slot ships no types: the CRC16 slot (0-16383) Redis Cluster gives a key, hash tags included. */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string): number
}
