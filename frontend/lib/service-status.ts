/**
 * Whether the backend can be reached, as the page's own calls find out: any call that cannot reach it marks it
 * down, the next one that gets an answer marks it up again and counts a recovery (so failed loads run again).
 */
export interface ServiceStatus {
  down: boolean;
  /** How many times the service came back; loads that failed run again when it changes. */
  recoveries: number;
}

/** HTTP statuses of the proxy that mean "the backend is not there right now" (0: the proxy itself was not). */
const UNAVAILABLE = new Set([0, 502, 503, 504]);

let status: ServiceStatus = { down: false, recoveries: 0 };
const listeners = new Set<() => void>();

function update(next: ServiceStatus) {
  status = next;
  listeners.forEach((listener) => listener());
}

export const serviceStatus = {
  get: (): ServiceStatus => status,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Called with the status of every answer (or 0 when there was none). */
  observe(httpStatus: number): void {
    const down = UNAVAILABLE.has(httpStatus);
    if (down && !status.down) update({ ...status, down: true });
    if (!down && status.down) update({ down: false, recoveries: status.recoveries + 1 });
  },
  isUnavailable: (httpStatus: number): boolean => UNAVAILABLE.has(httpStatus),
};
