export { CircuitBreaker, CircuitOpenError, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.js'
export { DeadlineExceededError, DeadlineSignal, withinDeadline } from './deadline.js'
