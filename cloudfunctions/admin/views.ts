/** A stored time as the API answers it: an ISO string, or null when there is none. */
export const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
