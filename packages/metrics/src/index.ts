export { RecordedCounter, type CounterRecorder } from './recorded-counter.js'
export { RecordedHistogram, type HistogramRecorder } from './recorded-histogram.js'
export { boundOnce } from './bound-once.js'
